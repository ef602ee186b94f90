using System;

namespace Codegen.Generator.Symbolic;

/// <summary>
/// Symbolic differentiation by the chain rule, one rule per node. Conventions at non-differentiable points follow
/// PyTorch: |u|′ = sign(u)·u′ (0 at 0), max(a, b) takes the derivative of a on ties and min(a, b) likewise, and a
/// conditional differentiates each branch (the comparison itself has derivative 0).
/// </summary>
internal static class Differentiator
{
    // ln 2 and ln 10 as the nearest doubles, written out so that no platform's Math.Log decides them.
    private const double Ln2 = 0.69314718055994531, Ln10 = 2.3025850929940459;

    public static Expr Derive(Expr e, string variable) => Simplifier.Simplify(D(e, variable));

    private static Expr D(Expr e, string v)
    {
        switch (e)
        {
            case Num:
                return 0;
            case Var x:
                return x.Name == v ? 1 : 0;
            case Unary u:
                return Chain(u, D(u.Arg, v));
            case Binary b:
                return Binary(b, v);
            case Conditional c:
                return c with { WhenTrue = D(c.WhenTrue, v), WhenFalse = D(c.WhenFalse, v) };
            default:
                throw new NotSupportedException("Cannot differentiate " + e.GetType().Name);
        }
    }

    private static Expr Chain(Unary u, Expr du)
    {
        Expr a = u.Arg;
        Expr outer = u.Op switch
        {
            UnaryOp.Negate => -1,
            UnaryOp.Exp => u,                                         // (eᵘ)′ = eᵘ u′
            UnaryOp.Log => new Num(1) / a,                            // (ln u)′ = u′ / u
            UnaryOp.Sqrt => new Num(0.5) / u,                         // (√u)′ = u′ / (2√u)
            UnaryOp.Abs => new Unary(UnaryOp.Sign, a),               // |u|′ = sign(u) u′, 0 at 0
            UnaryOp.Sign => 0,
            UnaryOp.Tanh => new Num(1) - (u * u),                    // tanh′ = 1 − tanh²
            UnaryOp.Sigmoid => u * (new Num(1) - u),                 // σ′ = σ (1 − σ)
            UnaryOp.Sin => new Unary(UnaryOp.Cos, a),
            UnaryOp.Cos => -new Unary(UnaryOp.Sin, a),
            UnaryOp.Log2 => new Num(1) / (new Num(Ln2) * a),          // (log₂ u)′ = u′ / (u ln 2)
            UnaryOp.Log10 => new Num(1) / (new Num(Ln10) * a),        // (log₁₀ u)′ = u′ / (u ln 10)
            UnaryOp.Cbrt => new Num(1) / (new Num(3) * u * u),        // (∛u)′ = u′ / (3 ∛u²)
            UnaryOp.Sinh => new Unary(UnaryOp.Cosh, a),
            UnaryOp.Cosh => new Unary(UnaryOp.Sinh, a),
            UnaryOp.Atan => new Num(1) / (new Num(1) + (a * a)),
            _ => throw new NotSupportedException("Cannot differentiate " + u.Op),
        };
        return outer * du;
    }

    private static Expr Binary(Binary b, string v)
    {
        Expr f = b.Left, g = b.Right;
        Expr df = D(f, v), dg = D(g, v);
        switch (b.Op)
        {
            case BinaryOp.Add:
                return df + dg;
            case BinaryOp.Subtract:
                return df - dg;
            case BinaryOp.Multiply:
                return (df * g) + (f * dg);
            case BinaryOp.Divide:
                return (df / g) - (f * dg / (g * g));
            case BinaryOp.Power when g is Num n:
                return new Num(n.Value) * E.Pow(f, n.Value - 1) * df;
            case BinaryOp.Power:
                // (f^g)′ = f^g (g′ ln f + g f′ / f)
                return b * ((dg * E.Log(f)) + (g * df / f));
            case BinaryOp.Max:
                return E.If(f, Comparison.GreaterOrEqual, g, df, dg);
            case BinaryOp.Min:
                return E.If(f, Comparison.LessOrEqual, g, df, dg);
            default:
                throw new NotSupportedException("Cannot differentiate " + b.Op);
        }
    }
}
