using System;

namespace Codegen.Generator.Symbolic;

/// <summary>
/// C# that computes an expression on Vector256 values, lane by lane, with the same result in every lane as the scalar
/// code <see cref="Printer.CSharp"/> writes: only the operations whose vector form rounds exactly as the scalar one
/// (+, −, ·, /, |x|, √x, negation, comparisons) are printed, a conditional becomes a select between both branches
/// (branches are pure, so computing both changes nothing), the float tanh calls the vector overload of
/// <see cref="Printer.FloatMathClass"/>.Tanh (the scalar one's operations lane by lane), and anything else (exp, the
/// double tanh, pow…) has no vector form here.
/// </summary>
internal static class VectorPrinter
{
    private const string Vector = "global::System.Runtime.Intrinsics.Vector256";

    /// <summary>The vector code for <paramref name="e"/>, its variables named by <paramref name="variable"/>; null when some operation has no exact vector form.</summary>
    public static string? CSharp(Expr e, NumericType type, Func<string, string> variable)
    {
        string t = type == NumericType.Float ? "float" : "double";
        return Print(e);

        string? Print(Expr node) => node switch
        {
            Num { Value: 0 } n when !IsNegativeZero(n.Value) => Vector + "<" + t + ">.Zero",
            Num n => Vector + ".Create(" + Printer.Literal(n.Value, type) + ")",
            Var v => variable(v.Name),
            Unary { Op: UnaryOp.Negate } u => Infix(Print(u.Arg), " ^ ", Vector + ".Create(" + Printer.Literal(-0.0, type) + ")"), // flips the sign bit, as scalar negation does (0 − x would turn −0 into +0)
            Unary { Op: UnaryOp.Abs } u => Call("Abs", Print(u.Arg)),
            Unary { Op: UnaryOp.Sqrt } u => Call("Sqrt", Print(u.Arg)),
            Unary { Op: UnaryOp.Tanh } u when type == NumericType.Float => Print(u.Arg) is string arg ? "global::" + Printer.FloatMathClass + ".Tanh(" + arg + ")" : null,
            Binary { Op: BinaryOp.Add } b => Infix(Print(b.Left), " + ", Print(b.Right)),
            Binary { Op: BinaryOp.Subtract } b => Infix(Print(b.Left), " - ", Print(b.Right)),
            Binary { Op: BinaryOp.Multiply } b => Infix(Print(b.Left), " * ", Print(b.Right)),
            Binary { Op: BinaryOp.Divide } b => Infix(Print(b.Left), " / ", Print(b.Right)),
            Conditional c => Select(c),
            _ => null,
        };

        string? Select(Conditional c)
        {
            string? left = Print(c.Left), right = Print(c.Right), whenTrue = Print(c.WhenTrue), whenFalse = Print(c.WhenFalse);
            if (left is null || right is null || whenTrue is null || whenFalse is null)
            {
                return null;
            }

            string compare = c.Op switch
            {
                Comparison.Greater => "GreaterThan",
                Comparison.GreaterOrEqual => "GreaterThanOrEqual",
                Comparison.Less => "LessThan",
                _ => "LessThanOrEqual",
            };
            return Vector + ".ConditionalSelect(" + Vector + "." + compare + "(" + left + ", " + right + "), " + whenTrue + ", " + whenFalse + ")";
        }
    }

    private static bool IsNegativeZero(double value) => value == 0 && double.IsNegativeInfinity(1 / value);

    private static string? Call(string function, string? operand) => operand is null ? null : Vector + "." + function + "(" + operand + ")";

    private static string? Infix(string? left, string op, string? right) => left is null || right is null ? null : "(" + left + op + right + ")";
}
