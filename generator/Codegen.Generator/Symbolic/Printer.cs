using System;
using System.Collections.Generic;
using System.Globalization;

namespace Codegen.Generator.Symbolic;

/// <summary>The numeric type of the generated code.</summary>
internal enum NumericType
{
    Float,
    Double,
}

/// <summary>
/// Turns expressions into text: C# for the generated code (with repeated subexpressions computed once into locals),
/// and a compact mathematical form for the generated remarks. Everything is culture-invariant and uses the same
/// shortest round-trip literals on every runtime.
/// </summary>
internal static class Printer
{
    private const int PrecConditional = 1, PrecAdditive = 2, PrecMultiplicative = 3, PrecUnary = 4, PrecPrimary = 5;

    /// <summary>A C# literal of <paramref name="value"/> in <paramref name="type"/>, shortest form that round-trips, with its suffix.</summary>
    public static string Literal(double value, NumericType type)
    {
        if (type == NumericType.Float)
        {
            float f = (float)value;
            return Shortest(f, 9, s => float.Parse(s, CultureInfo.InvariantCulture).Equals(f)) + "f";
        }

        return Shortest(value, 17, s => double.Parse(s, CultureInfo.InvariantCulture).Equals(value)) + "d";
    }

    /// <summary>The shortest general-format text of <paramref name="value"/> that round-trips (for the remarks).</summary>
    public static string Number(double value) =>
        Shortest(value, 17, s => double.Parse(s, CultureInfo.InvariantCulture).Equals(value));

    private static string Shortest(IFormattable value, int maxDigits, Func<string, bool> roundTrips)
    {
        for (int digits = 1; digits < maxDigits; digits++)
        {
            string s = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (roundTrips(s))
            {
                return s;
            }
        }

        return value.ToString("G" + maxDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// C# for <paramref name="e"/>. Subexpressions that occur more than once are assigned to locals named
    /// <paramref name="tempPrefix"/>0, 1… which are returned in the order they must be declared.
    /// </summary>
    public static (IReadOnlyList<(string Name, string Code)> Temps, string Code) CSharp(
        Expr e, NumericType type, Func<string, string> variable, string tempPrefix = "t")
    {
        var counts = new Dictionary<Expr, int>();
        Count(e, counts);
        var temps = new List<(string, string)>();
        var names = new Dictionary<Expr, string>();
        var printer = new CSharpPrinter(type, variable, counts, names, temps, tempPrefix);
        string code = printer.Print(e, 0, root: true);
        return (temps, code);
    }

    private static void Count(Expr e, Dictionary<Expr, int> counts)
    {
        if (e is Num or Var || e is Unary { Op: UnaryOp.Negate, Arg: Num or Var })
        {
            return;
        }

        counts.TryGetValue(e, out int n);
        counts[e] = n + 1;
        if (n > 0)
        {
            return; // its children are counted once, through the first occurrence
        }

        foreach (Expr child in Children(e))
        {
            Count(child, counts);
        }
    }

    private static IEnumerable<Expr> Children(Expr e) => e switch
    {
        Unary u => new[] { u.Arg },
        Binary b => new[] { b.Left, b.Right },
        Conditional c => new[] { c.Left, c.Right, c.WhenTrue, c.WhenFalse },
        _ => Array.Empty<Expr>(),
    };

    /// <summary>
    /// The file-local class of float functions the generated code calls instead of MathF where MathF is slow (tanh:
    /// MathF.Tanh calls the C library); the emitter writes it into any file whose code names it.
    /// </summary>
    public const string FloatMathClass = "CodegenMath";

    private sealed class CSharpPrinter(
        NumericType type,
        Func<string, string> variable,
        Dictionary<Expr, int> counts,
        Dictionary<Expr, string> names,
        List<(string Name, string Code)> temps,
        string tempPrefix)
    {
        private string M => type == NumericType.Float ? "global::System.MathF" : "global::System.Math";

        private string T => type == NumericType.Float ? "float" : "double";

        private string Lit(double v) => Literal(v, type);

        public string Print(Expr e, int parentPrecedence, bool root = false)
        {
            if (!root && counts.TryGetValue(e, out int n) && n > 1)
            {
                if (!names.TryGetValue(e, out string? name))
                {
                    string code = Print(e, 0, root: true);
                    name = tempPrefix + temps.Count.ToString(CultureInfo.InvariantCulture);
                    temps.Add((name, code));
                    names[e] = name;
                }

                return name;
            }

            (string text, int precedence) = Render(e);
            return precedence < parentPrecedence ? "(" + text + ")" : text;
        }

        private (string, int) Render(Expr e)
        {
            switch (e)
            {
                case Num n:
                    return n.Value < 0 ? ("-" + Lit(-n.Value), PrecUnary) : (Lit(n.Value), PrecPrimary);
                case Var v:
                    return (variable(v.Name), PrecPrimary);
                case Unary u:
                    return Unary(u);
                case Binary b:
                    return Binary(b);
                case Conditional c:
                    string cond = Print(c.Left, PrecAdditive) + " " + Op(c.Op) + " " + Print(c.Right, PrecAdditive);
                    return (cond + " ? " + Print(c.WhenTrue, PrecConditional + 1) + " : " + Print(c.WhenFalse, PrecConditional), PrecConditional);
                default:
                    throw new NotSupportedException(e.GetType().Name);
            }
        }

        private (string, int) Unary(Unary u)
        {
            string Arg(int p) => Print(u.Arg, p);
            string Call(string f) => M + "." + f + "(" + Print(u.Arg, 0) + ")";
            switch (u.Op)
            {
                case UnaryOp.Negate:
                    return ("-" + Arg(PrecUnary + 1), PrecUnary);
                case UnaryOp.Sigmoid:
                    return (Lit(1) + " / (" + Lit(1) + " + " + M + ".Exp(-" + Arg(PrecUnary + 1) + "))", PrecMultiplicative);
                case UnaryOp.Tanh when type == NumericType.Float:
                    return ("global::" + FloatMathClass + ".Tanh(" + Print(u.Arg, 0) + ")", PrecPrimary);
                case UnaryOp.Sign:
                    string a = Arg(PrecAdditive);
                    return (a + " > " + Lit(0) + " ? " + Lit(1) + " : " + a + " < " + Lit(0) + " ? " + Lit(-1) + " : " + Lit(0), PrecConditional);
                default:
                    return (Call(u.Op.ToString()), PrecPrimary);
            }
        }

        private (string, int) Binary(Binary b)
        {
            switch (b.Op)
            {
                case BinaryOp.Add:
                    return (Print(b.Left, PrecAdditive) + " + " + Print(b.Right, PrecAdditive), PrecAdditive);
                case BinaryOp.Subtract:
                    return (Print(b.Left, PrecAdditive) + " - " + Print(b.Right, PrecAdditive + 1), PrecAdditive);
                case BinaryOp.Multiply:
                    return (Print(b.Left, PrecMultiplicative) + " * " + Print(b.Right, PrecMultiplicative + 1), PrecMultiplicative);
                case BinaryOp.Divide:
                    return (Print(b.Left, PrecMultiplicative) + " / " + Print(b.Right, PrecMultiplicative + 1), PrecMultiplicative);
                case BinaryOp.Power:
                    return (M + ".Pow(" + Print(b.Left, 0) + ", " + Print(b.Right, 0) + ")", PrecPrimary);
                default:
                    return (M + "." + b.Op + "(" + Print(b.Left, 0) + ", " + Print(b.Right, 0) + ")", PrecPrimary);
            }
        }
    }

    private static string Op(Comparison c) => c switch
    {
        Comparison.Greater => ">",
        Comparison.GreaterOrEqual => ">=",
        Comparison.Less => "<",
        _ => "<=",
    };

    /// <summary>A compact mathematical form of <paramref name="e"/> for documentation, e.g. <c>x &gt; 0 ? x : 0.01·x</c>.</summary>
    public static string Math(Expr e) => MathText(e, 0);

    private static string MathText(Expr e, int parent)
    {
        (string text, int prec) = e switch
        {
            Num n => n.Value < 0 ? ("−" + Number(-n.Value), PrecUnary) : (Number(n.Value), PrecPrimary),
            Var v => (v.Name, PrecPrimary),
            Unary { Op: UnaryOp.Negate } u => ("−" + MathText(u.Arg, PrecUnary + 1), PrecUnary),
            Unary { Op: UnaryOp.Abs } u => ("|" + MathText(u.Arg, 0) + "|", PrecPrimary),
            Unary { Op: UnaryOp.Sigmoid } u => ("σ(" + MathText(u.Arg, 0) + ")", PrecPrimary),
            Unary { Op: UnaryOp.Sqrt } u => ("√(" + MathText(u.Arg, 0) + ")", PrecPrimary),
            Unary u => (u.Op.ToString().ToLowerInvariant() + "(" + MathText(u.Arg, 0) + ")", PrecPrimary),
            Binary { Op: BinaryOp.Add } b => (MathText(b.Left, PrecAdditive) + " + " + MathText(b.Right, PrecAdditive), PrecAdditive),
            Binary { Op: BinaryOp.Subtract } b => (MathText(b.Left, PrecAdditive) + " − " + MathText(b.Right, PrecAdditive + 1), PrecAdditive),
            Binary { Op: BinaryOp.Multiply } b => (MathText(b.Left, PrecMultiplicative) + "·" + MathText(b.Right, PrecMultiplicative + 1), PrecMultiplicative),
            Binary { Op: BinaryOp.Divide } b => (MathText(b.Left, PrecMultiplicative) + " / " + MathText(b.Right, PrecMultiplicative + 1), PrecMultiplicative),
            Binary { Op: BinaryOp.Power } b => (MathText(b.Left, PrecPrimary) + "^" + MathText(b.Right, PrecPrimary), PrecPrimary),
            Binary b => (b.Op.ToString().ToLowerInvariant() + "(" + MathText(b.Left, 0) + ", " + MathText(b.Right, 0) + ")", PrecPrimary),
            Conditional c => (MathText(c.Left, PrecAdditive) + " " + Op(c.Op) + " " + MathText(c.Right, PrecAdditive) + " ? "
                + MathText(c.WhenTrue, PrecConditional + 1) + " : " + MathText(c.WhenFalse, PrecConditional), PrecConditional),
            _ => (e.GetType().Name, PrecPrimary),
        };
        return prec < parent ? "(" + text + ")" : text;
    }
}
