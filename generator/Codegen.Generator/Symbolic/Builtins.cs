namespace Codegen.Generator.Symbolic;

/// <summary>
/// The built-in activations and per-element losses, each written once as a scalar expression. Their derivatives are
/// not written anywhere: the <see cref="Differentiator"/> derives them.
/// </summary>
internal static class Builtins
{
    private static readonly Expr X = new Var("x");

    public static Expr ReLU { get; } = E.If(X, Comparison.Greater, 0, X, 0);

    public static Expr LeakyReLU(double slope) => E.If(X, Comparison.Greater, 0, X, new Num(slope) * X);

    public static Expr Elu(double alpha) => E.If(X, Comparison.Greater, 0, X, new Num(alpha) * (E.Exp(X) - 1));

    public static Expr Sigmoid { get; } = E.Sigmoid(X);

    public static Expr Tanh { get; } = E.Tanh(X);

    public static Expr Softsign { get; } = X / (new Num(1) + E.Abs(X));

    /// <summary>Per-element square error (o − t)²; the network's loss is its mean.</summary>
    public static Expr SquaredError { get; } = E.Pow(new Var("o") - new Var("t"), 2);
}
