namespace Codegen.Generator.Symbolic;

/// <summary>
/// A scalar expression: the language in which elementwise activations and per-element losses are written, and in
/// which their derivatives are derived. Records, so that two expressions are equal when they have the same structure:
/// that equality drives simplification, common-subexpression reuse and the generator's caching.
/// </summary>
internal abstract record Expr
{
    public static Expr operator +(Expr a, Expr b) => new Binary(BinaryOp.Add, a, b);

    public static Expr operator -(Expr a, Expr b) => new Binary(BinaryOp.Subtract, a, b);

    public static Expr operator *(Expr a, Expr b) => new Binary(BinaryOp.Multiply, a, b);

    public static Expr operator /(Expr a, Expr b) => new Binary(BinaryOp.Divide, a, b);

    public static Expr operator -(Expr a) => new Unary(UnaryOp.Negate, a);

    public static implicit operator Expr(double value) => new Num(value);
}

/// <summary>A numeric constant.</summary>
internal sealed record Num(double Value) : Expr;

/// <summary>A variable: <c>x</c> (an activation's input), <c>o</c>/<c>t</c> (a loss's output and target)…</summary>
internal sealed record Var(string Name) : Expr;

internal enum UnaryOp
{
    Negate,
    Exp,
    Log,
    Sqrt,
    Abs,
    Sign,
    Tanh,
    Sigmoid,
    Sin,
    Cos,
    Log2,
    Log10,
    Cbrt,
    Sinh,
    Cosh,
    Atan,
}

internal sealed record Unary(UnaryOp Op, Expr Arg) : Expr;

internal enum BinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Power,
    Max,
    Min,
}

internal sealed record Binary(BinaryOp Op, Expr Left, Expr Right) : Expr;

internal enum Comparison
{
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

/// <summary><c>Left op Right ? WhenTrue : WhenFalse</c>.</summary>
internal sealed record Conditional(Comparison Op, Expr Left, Expr Right, Expr WhenTrue, Expr WhenFalse) : Expr;

/// <summary>
/// A placeholder for a user-written function that the second stage of the pipeline has not resolved yet. It never
/// reaches the emitter: a spec that still holds one is not emitted.
/// </summary>
internal sealed record Pending(int Index) : Expr;

/// <summary>Constructors that read like the formulas they build.</summary>
internal static class E
{
    public static Expr Exp(Expr a) => new Unary(UnaryOp.Exp, a);

    public static Expr Log(Expr a) => new Unary(UnaryOp.Log, a);

    public static Expr Abs(Expr a) => new Unary(UnaryOp.Abs, a);

    public static Expr Tanh(Expr a) => new Unary(UnaryOp.Tanh, a);

    public static Expr Sigmoid(Expr a) => new Unary(UnaryOp.Sigmoid, a);

    public static Expr Pow(Expr a, Expr b) => new Binary(BinaryOp.Power, a, b);

    public static Expr Max(Expr a, Expr b) => new Binary(BinaryOp.Max, a, b);

    public static Expr If(Expr left, Comparison op, Expr right, Expr whenTrue, Expr whenFalse) =>
        new Conditional(op, left, right, whenTrue, whenFalse);
}
