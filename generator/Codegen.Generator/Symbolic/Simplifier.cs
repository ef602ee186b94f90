using System;

namespace Codegen.Generator.Symbolic;

/// <summary>
/// Algebraic simplification applied bottom-up until nothing changes: constant folding (only of operations IEEE
/// rounds exactly, so the generated text is the same on every machine), identities (x·1, x + 0, x·0, x − x, −(−x)),
/// constants moved to the left of a product, signs moved outwards, and a product with a conditional whose branches are
/// constants pushed into the branches (g·(x &gt; 0 ? 1 : 0) becomes x &gt; 0 ? g : 0).
/// </summary>
internal static class Simplifier
{
    public static Expr Simplify(Expr e)
    {
        for (int i = 0; i < 64; i++)
        {
            Expr next = Step(e);
            if (next.Equals(e))
            {
                return next;
            }

            e = next;
        }

        return e;
    }

    private static Expr Step(Expr e) => e switch
    {
        Unary u => Unary(u with { Arg = Step(u.Arg) }),
        Binary b => Binary(b with { Left = Step(b.Left), Right = Step(b.Right) }),
        Conditional c => Conditional(c with
        {
            Left = Step(c.Left),
            Right = Step(c.Right),
            WhenTrue = Step(c.WhenTrue),
            WhenFalse = Step(c.WhenFalse),
        }),
        _ => e,
    };

    private static bool IsNum(Expr e, double value) => e is Num n && n.Value.Equals(value);

    private static Expr Unary(Unary u)
    {
        switch (u.Op, u.Arg)
        {
            case (UnaryOp.Negate, Num n):
                return new Num(-n.Value);
            case (UnaryOp.Negate, Unary { Op: UnaryOp.Negate } inner):
                return inner.Arg;
            case (UnaryOp.Abs, Num n):
                return new Num(Math.Abs(n.Value));
            case (UnaryOp.Sign, Num n):
                return new Num(Math.Sign(n.Value));
            case (UnaryOp.Sqrt, Num n) when n.Value >= 0:
                return new Num(Math.Sqrt(n.Value));
            default:
                return u;
        }
    }

    private static Expr Binary(Binary b)
    {
        Expr l = b.Left, r = b.Right;
        if (l is Num a && r is Num c && Fold(b.Op, a.Value, c.Value) is double folded)
        {
            return new Num(folded);
        }

        switch (b.Op)
        {
            case BinaryOp.Add:
                if (IsNum(l, 0)) return r;
                if (IsNum(r, 0)) return l;
                if (r is Unary { Op: UnaryOp.Negate } nr) return l - nr.Arg;
                if (l is Unary { Op: UnaryOp.Negate } nl) return r - nl.Arg;
                if (r is Num { Value: < 0 } negative) return l - new Num(-negative.Value);
                if (l.Equals(r)) return new Num(2) * l;
                return b;
            case BinaryOp.Subtract:
                if (IsNum(r, 0)) return l;
                if (IsNum(l, 0)) return -r;
                if (l.Equals(r)) return 0;
                if (r is Unary { Op: UnaryOp.Negate } sr) return l + sr.Arg;
                return b;
            case BinaryOp.Multiply:
                if (IsNum(l, 0) || IsNum(r, 0)) return 0;
                if (IsNum(l, 1)) return r;
                if (IsNum(r, 1)) return l;
                if (IsNum(l, -1)) return -r;
                if (IsNum(r, -1)) return -l;
                if (l is Unary { Op: UnaryOp.Negate } ml) return -(ml.Arg * r);
                if (r is Unary { Op: UnaryOp.Negate } mr) return -(l * mr.Arg);
                if (r is Num && l is not Num) return r * l;
                if (l is Num k && r is Binary { Op: BinaryOp.Multiply, Left: Num k2 } inner && Fold(BinaryOp.Multiply, k.Value, k2.Value) is double kk)
                {
                    return new Num(kk) * inner.Right;
                }

                if (l is Num { Value: < 0 } kn) return -(new Num(-kn.Value) * r);
                if (r is Conditional rc && l is Num or Var && HasConstantBranch(rc)) return rc with { WhenTrue = l * rc.WhenTrue, WhenFalse = l * rc.WhenFalse };
                if (l is Conditional lc && r is Num or Var && HasConstantBranch(lc)) return lc with { WhenTrue = lc.WhenTrue * r, WhenFalse = lc.WhenFalse * r };
                if (r is Binary { Op: BinaryOp.Multiply, Left: Num k3 } inner2 && l is not Num) return k3 * (l * inner2.Right);
                return b;
            case BinaryOp.Divide:
                // 1 / (1 + exp(−u)) is σ(u): its derivative is then σ(1 − σ), which reuses the value Forward kept.
                if (IsNum(l, 1) && r is Binary { Op: BinaryOp.Add, Left: Num { Value: 1 }, Right: Unary { Op: UnaryOp.Exp, Arg: Unary { Op: UnaryOp.Negate } e } })
                {
                    return E.Sigmoid(e.Arg);
                }

                if (IsNum(r, 1)) return l;
                if (IsNum(l, 0)) return 0;
                if (l is Unary { Op: UnaryOp.Negate } dl) return -(dl.Arg / r);
                return b;
            case BinaryOp.Power:
                if (IsNum(r, 1)) return l;
                if (IsNum(r, 0)) return 1;
                if (IsNum(r, 2)) return l * l;
                return b;
            default:
                return b;
        }
    }

    private static bool HasConstantBranch(Conditional c) => c.WhenTrue is Num || c.WhenFalse is Num;

    private static Expr Conditional(Conditional c) => c.WhenTrue.Equals(c.WhenFalse) ? c.WhenTrue : c;

    private static double? Fold(BinaryOp op, double a, double b)
    {
        double r = op switch
        {
            BinaryOp.Add => a + b,
            BinaryOp.Subtract => a - b,
            BinaryOp.Multiply => a * b,
            BinaryOp.Divide when b != 0 => a / b,
            BinaryOp.Max => Math.Max(a, b),
            BinaryOp.Min => Math.Min(a, b),
            _ => double.NaN,
        };
        return double.IsNaN(r) || double.IsInfinity(r) ? null : r;
    }
}
