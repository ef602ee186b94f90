using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Codegen.Generator.Emit;
using Codegen.Generator.Helpers;
using Codegen.Generator.Symbolic;
using Codegen.Generator.Tests.TestHelpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace Codegen.Generator.Tests;

/// <summary>
/// The symbolic engine on its own: simplification identities, every derivative against central finite differences
/// (STYLE #13: eps 1e-6, atol 1e-5, rtol 1e-3), the C# printer against the C# compiler, and literals that round-trip
/// in every culture.
/// </summary>
public sealed class SymbolicTests
{
    private const double Eps = 1e-6, Atol = 1e-5, Rtol = 1e-3;

    private static readonly Var X = new("x"), Y = new("y"), G = new("g"), O = new("o"), T = new("t");

    // ---- Simplifier ------------------------------------------------------------------------------------------------

    // Expr is internal, so theories take the name of a case and look the expressions up.
    private static readonly Dictionary<string, (Expr Input, Expr Expected)> IdentityTable = new()
    {
        ["x·1"] = (X * 1, X),
        ["1·x"] = (new Num(1) * X, X),
        ["x + 0"] = (X + 0, X),
        ["0 + x"] = (new Num(0) + X, X),
        ["x − 0"] = (X - 0, X),
        ["0 − x"] = (new Num(0) - X, -X),
        ["x·0"] = (X * 0, new Num(0)),
        ["0·x"] = (new Num(0) * X, new Num(0)),
        ["x / 1"] = (X / 1, X),
        ["0 / x"] = (new Num(0) / X, new Num(0)),
        ["x − x"] = (X - X, new Num(0)),
        ["−(−x)"] = (-(-X), X),
        ["−(−(−x))"] = (-(-(-X)), -X),
        ["x^1"] = (E.Pow(X, 1), X),
        ["x^0"] = (E.Pow(X, 0), new Num(1)),
        ["x^2"] = (E.Pow(X, 2), X * X),
        ["2 + 3"] = (new Num(2) + 3, new Num(5)),
        ["2·3"] = (new Num(2) * 3, new Num(6)),
        ["7 − 10"] = (new Num(7) - 10, new Num(-3)),
        ["6 / 4"] = (new Num(6) / 4, new Num(1.5)),
        ["−(2)"] = (-new Num(2), new Num(-2)),
        ["|−3|"] = (E.Abs(-3), new Num(3)),
        ["max(2, 5)"] = (E.Max(2, 5), new Num(5)),
        ["(1 + 2)·x"] = ((new Num(1) + 2) * X, new Num(3) * X),
        ["x·2"] = (X * 2, new Num(2) * X),
        ["2·(3·x)"] = (new Num(2) * (new Num(3) * X), new Num(6) * X),
        ["−1·x"] = (new Num(-1) * X, -X),
        ["x + (−y)"] = (X + (-Y), X - Y),
        ["x − (−y)"] = (X - (-Y), X + Y),
        ["(x > 0 ? 1 : 0)·g"] = (E.If(X, Comparison.Greater, 0, 1, 0) * G, E.If(X, Comparison.Greater, 0, G, 0)),
        ["x > 0 ? y : y"] = (E.If(X, Comparison.Greater, 0, Y, Y), Y),
    };

    public static TheoryData<string> Identities() => new(IdentityTable.Keys);

    [Theory]
    [MemberData(nameof(Identities))]
    public void SimplifiesIdentities(string name)
    {
        (Expr input, Expr expected) = IdentityTable[name];
        Expr actual = Simplifier.Simplify(input);
        Assert.True(expected.Equals(actual), $"{name}: expected {Printer.Math(expected)}, got {Printer.Math(actual)}");
        Assert.Equal(actual, Simplifier.Simplify(actual)); // a fixed point
    }

    [Fact]
    public void DoesNotFoldDivisionByZero()
    {
        Expr e = Simplifier.Simplify(new Num(1) / 0);
        Assert.IsType<Binary>(e);
        Assert.DoesNotContain(Constants(Simplifier.Simplify((new Num(1e308) * 10) + X)), v => double.IsInfinity(v) || double.IsNaN(v));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void SimplificationPreservesValue(string name)
    {
        Expr f = FunctionTable[name];
        Expr simplified = Simplifier.Simplify(f);
        foreach (double x in Points())
        {
            double a = Eval(f, x), b = Eval(simplified, x);
            Assert.True(Close(b, a, 1e-12, 1e-12), $"{name} at x = {x}: {a} before simplification, {b} after");
        }
    }

    // ---- Differentiator ------------------------------------------------------------------------------------------

    /// <summary>Every builtin activation, and expressions that use every other rule of the differentiator.</summary>
    private static readonly Dictionary<string, Expr> FunctionTable = new()
    {
        ["ReLU"] = Builtins.ReLU,
        ["LeakyReLU(0.01)"] = Builtins.LeakyReLU(0.01),
        ["LeakyReLU(0.2)"] = Builtins.LeakyReLU(0.2),
        ["ELU(1)"] = Builtins.Elu(1),
        ["ELU(0.7)"] = Builtins.Elu(0.7),
        ["Sigmoid"] = Builtins.Sigmoid,
        ["Tanh"] = Builtins.Tanh,
        ["Softsign"] = Builtins.Softsign,
        ["log(1 + x²)"] = E.Log(new Num(1) + (X * X)),
        ["√(1 + x²)"] = new Unary(UnaryOp.Sqrt, new Num(1) + (X * X)),
        ["sin(x)·cos(2x)"] = new Unary(UnaryOp.Sin, X) * new Unary(UnaryOp.Cos, new Num(2) * X),
        ["exp(−x²/2) / (1 + |x|)"] = E.Exp(-(X * X) / 2) / (new Num(1) + E.Abs(X)),
        ["(x² + 1)^x"] = E.Pow((X * X) + 1, X),
        ["(x² + 1)^3.5"] = E.Pow((X * X) + 1, 3.5),
        ["x^3 − 2x"] = E.Pow(X, 3) - (new Num(2) * X),
        ["max(x, x²/4)"] = E.Max(X, X * X / 4),
        ["min(sin x, cos x)"] = new Binary(BinaryOp.Min, new Unary(UnaryOp.Sin, X), new Unary(UnaryOp.Cos, X)),
        ["σ(tanh(x))·x"] = E.Sigmoid(E.Tanh(X)) * X,
        ["x < 1 ? −x : x·x"] = E.If(X, Comparison.Less, 1, -X, X * X),
    };

    public static TheoryData<string> Functions() => new(FunctionTable.Keys);

    [Theory]
    [MemberData(nameof(Functions))]
    public void DerivativeMatchesFiniteDifferences(string name)
    {
        Expr f = FunctionTable[name];
        Expr derivative = Differentiator.Derive(f, "x");
        foreach (double x in Points())
        {
            if (NearKink(f, x))
            {
                continue;
            }

            double expected = (Eval(f, x + Eps) - Eval(f, x - Eps)) / (2 * Eps);
            double actual = Eval(derivative, x);
            Assert.True(Close(actual, expected, Atol, Rtol), $"{name}′({x}) = {actual} ({Printer.Math(derivative)}), finite differences give {expected}");
        }
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void ElementwiseBackwardMatchesFiniteDifferences(string name)
    {
        Expr f = FunctionTable[name];
        Expr backward = Rewriter.ElementwiseBackward(f);
        Assert.False(Rewriter.Uses(backward, "o") || Rewriter.Uses(backward, "t"));
        foreach (double x in Points())
        {
            if (NearKink(f, x))
            {
                continue;
            }

            foreach (double g in new[] { 1.0, -0.37, 2.5 })
            {
                double expected = g * (Eval(f, x + Eps) - Eval(f, x - Eps)) / (2 * Eps);
                var env = new Dictionary<string, double> { ["x"] = x, ["g"] = g, ["y"] = Eval(f, x) };
                double actual = Eval(backward, env);
                Assert.True(Close(actual, expected, Atol, Rtol), $"{name}: backward at x = {x}, g = {g} is {actual} ({Printer.Math(backward)}), finite differences give {expected}");
            }
        }
    }

    [Fact]
    public void SquaredErrorDerivativesMatchFiniteDifferences()
    {
        Expr l = Builtins.SquaredError;
        Expr dO = Differentiator.Derive(l, "o"), dT = Differentiator.Derive(l, "t");
        foreach (double o in Points())
        {
            foreach (double t in new[] { -1.5, 0, 0.25, 3 })
            {
                double Value(double oo, double tt) => Eval(l, new Dictionary<string, double> { ["o"] = oo, ["t"] = tt });
                var env = new Dictionary<string, double> { ["o"] = o, ["t"] = t };
                Assert.True(Close(Eval(dO, env), (Value(o + Eps, t) - Value(o - Eps, t)) / (2 * Eps), Atol, Rtol), $"∂L/∂o at o = {o}, t = {t}");
                Assert.True(Close(Eval(dT, env), (Value(o, t + Eps) - Value(o, t - Eps)) / (2 * Eps), Atol, Rtol), $"∂L/∂t at o = {o}, t = {t}");
            }
        }
    }

    [Fact]
    public void NonDifferentiablePointsFollowPyTorch()
    {
        // ReLU′(0) = 0, |x|′(0) = 0, LeakyReLU′(0) = slope, as torch.autograd gives.
        Assert.Equal(0, Eval(Differentiator.Derive(Builtins.ReLU, "x"), 0));
        Assert.Equal(0, Eval(Differentiator.Derive(E.Abs(X), "x"), 0));
        Assert.Equal(0.2, Eval(Differentiator.Derive(Builtins.LeakyReLU(0.2), "x"), 0));
        Assert.Equal(1, Eval(Differentiator.Derive(Builtins.Softsign, "x"), 0));
    }

    [Fact]
    public void DerivativeOfAnotherVariableIsZero()
    {
        Assert.Equal(new Num(0), Differentiator.Derive(Builtins.Sigmoid, "y"));
        Assert.Equal(new Num(0), Differentiator.Derive(E.If(X, Comparison.Greater, 0, X, 0), "g"));
    }

    // ---- Rewriter ------------------------------------------------------------------------------------------------

    [Fact]
    public void SigmoidBackwardIsExpressedInTheOutput()
    {
        Expr backward = Rewriter.ElementwiseBackward(Builtins.Sigmoid);
        Assert.False(Rewriter.Uses(backward, "x"), Printer.Math(backward));
        Assert.Equal(G * (Y * (new Num(1) - Y)), backward); // g·y·(1 − y)
    }

    [Fact]
    public void TanhBackwardIsExpressedInTheOutput()
    {
        Expr backward = Rewriter.ElementwiseBackward(Builtins.Tanh);
        Assert.False(Rewriter.Uses(backward, "x"), Printer.Math(backward));
        Assert.Equal(G * (new Num(1) - (Y * Y)), backward); // g·(1 − y²)
    }

    [Fact]
    public void ReluBackwardSelectsTheGradient()
    {
        Assert.Equal(E.If(X, Comparison.Greater, 0, G, 0), Rewriter.ElementwiseBackward(Builtins.ReLU));
        Assert.Equal(E.If(X, Comparison.Greater, 0, G, new Num(0.2) * G), Rewriter.ElementwiseBackward(Builtins.LeakyReLU(0.2)));
    }

    [Fact]
    public void SubstituteAndUses()
    {
        Expr e = E.Tanh(X) * (new Num(1) + E.Tanh(X));
        Expr replaced = Rewriter.Substitute(e, E.Tanh(X), Y);
        Assert.Equal(Y * (new Num(1) + Y), replaced);
        Assert.True(Rewriter.Uses(e, "x"));
        Assert.False(Rewriter.Uses(replaced, "x"));
        Assert.True(Rewriter.Uses(E.If(T, Comparison.Less, 0, 1, O), "o"));
    }

    // ---- Printer -------------------------------------------------------------------------------------------------

    private static readonly double[] LiteralTable =
    {
        0, 1, -1, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, Math.PI, Math.E, 0.01, 1e-7, 123456.789, 16777217, 1e21, 1e-300,
        double.Epsilon, double.MaxValue, -double.MaxValue, 1.0 / 49, 0.6666666666666666, 9007199254740993, float.MaxValue,
        float.Epsilon, 3.4028235677973366E+38,
    };

    public static TheoryData<double> LiteralValues() => new(LiteralTable);

    [Theory]
    [MemberData(nameof(LiteralValues), DisableDiscoveryEnumeration = true)]
    public void LiteralsRoundTrip(double value)
    {
        string d = Printer.Literal(value, NumericType.Double);
        Assert.EndsWith("d", d, StringComparison.Ordinal);
        Assert.Equal(value, double.Parse(d.TrimEnd('d'), NumberStyles.Float, CultureInfo.InvariantCulture));
        Assert.True(d.Length - 1 <= value.ToString("R", CultureInfo.InvariantCulture).Length, $"{d} is not the shortest form of {value:R}");

        if (Math.Abs(value) <= float.MaxValue)
        {
            string f = Printer.Literal(value, NumericType.Float);
            Assert.EndsWith("f", f, StringComparison.Ordinal);
            Assert.Equal((float)value, float.Parse(f.TrimEnd('f'), NumberStyles.Float, CultureInfo.InvariantCulture));
            Assert.True(f.Length - 1 <= ((float)value).ToString("R", CultureInfo.InvariantCulture).Length, $"{f} is not the shortest form of {(float)value:R}");
        }

        Assert.Equal(value, double.Parse(Printer.Number(value), NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void LiteralsAreValidCSharpWithTheirValue()
    {
        // The C# compiler, not this test, reads the literals back.
        double[] values = (double[])LiteralTable.Clone();
        var source = new StringBuilder("class C {\n");
        for (int i = 0; i < values.Length; i++)
        {
            source.Append("const double D").Append(i).Append(" = ").Append(Printer.Literal(values[i], NumericType.Double)).Append(";\n");
            if (Math.Abs(values[i]) <= float.MaxValue)
            {
                source.Append("const float F").Append(i).Append(" = ").Append(Printer.Literal(values[i], NumericType.Float)).Append(";\n");
            }
        }

        source.Append('}');
        CSharpCompilation compilation = GeneratorDriverHelper.CreateCompilation(source.ToString());
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SemanticModel model = compilation.GetSemanticModel(tree);
        foreach (VariableDeclaratorSyntax declarator in tree.GetRoot().DescendantNodes().OfType<VariableDeclaratorSyntax>())
        {
            int i = int.Parse(declarator.Identifier.Text.Substring(1), CultureInfo.InvariantCulture);
            object? constant = model.GetConstantValue(declarator.Initializer!.Value).Value;
            if (declarator.Identifier.Text[0] == 'D')
            {
                Assert.Equal(values[i], (double)constant!);
            }
            else
            {
                Assert.Equal((float)values[i], (float)constant!);
            }
        }
    }

    [Fact]
    public void PrintingIsCultureInvariant()
    {
        Expr[] expressions = FunctionTable.Values.Concat(new[] { Rewriter.ElementwiseBackward(Builtins.Softsign), new Num(-1234567.125) * X }).ToArray();
        string Print() => string.Join(
            "\n",
            LiteralTable.SelectMany(v => new[] { Printer.Literal(v, NumericType.Double), Printer.Literal(v, NumericType.Float), Printer.Number(v) })
                .Concat(expressions.SelectMany(e => new[] { Printer.Math(e), Printer.CSharp(e, NumericType.Float, v => v).Code, Printer.CSharp(e, NumericType.Double, v => v).Code })));

        string invariant;
        using (TestCultures.Use(CultureInfo.InvariantCulture))
        {
            invariant = Print();
        }

        Assert.Contains("0.2d", invariant, StringComparison.Ordinal);
        foreach (CultureInfo culture in TestCultures.All())
        {
            using (TestCultures.Use(culture))
            {
                string printed = Print();
                Assert.True(invariant == printed, $"Under {culture.Name}: {GoldenFile.FirstDifference(invariant, printed)}");
            }
        }
    }

    [Fact]
    public void GermanCultureIsReallyDifferent()
    {
        // Guards the culture tests: were de-DE to format like the invariant culture, they would prove nothing.
        CultureInfo german = TestCultures.GermanOrSynthetic();
        Assert.Equal("0,5", 0.5.ToString(german));
        using (TestCultures.Use(german))
        {
            Assert.Equal("0.5d", Printer.Literal(0.5, NumericType.Double));
            Assert.Equal("-0.5f", Printer.CSharp(new Num(-0.5), NumericType.Float, v => v).Code);
        }
    }

    [Fact]
    public void RepeatedSubexpressionsBecomeTemporaries()
    {
        Expr backward = Rewriter.ElementwiseBackward(Builtins.Softsign);
        var (temps, code) = Printer.CSharp(backward, NumericType.Double, v => v + "[j]");
        (string name, string value) = Assert.Single(temps);
        Assert.Equal("t0", name);
        Assert.Equal("1d + global::System.Math.Abs(x[j])", value);
        Assert.Contains("t0 * t0", code, StringComparison.Ordinal);
    }

    /// <summary>Expressions whose printing depends on precedence and associativity.</summary>
    private static IEnumerable<Expr> PrecedenceCases()
    {
        yield return X - (Y - G);
        yield return (X - Y) - G;
        yield return X / (Y * G);
        yield return (X / Y) * G;
        yield return X / (Y / G);
        yield return -(X * Y);
        yield return -(X + Y);
        yield return X - (-Y);
        yield return new Binary(BinaryOp.Subtract, X, new Num(-2));
        yield return new Binary(BinaryOp.Multiply, new Num(-2), X + Y);
        yield return new Unary(UnaryOp.Negate, new Num(-2));
        yield return (E.If(X, Comparison.Greater, 0, X, Y) * 2) + 1;
        yield return E.If(X - Y, Comparison.LessOrEqual, G * 2, E.If(Y, Comparison.Less, 0, 1, 2), -G);
        yield return E.Sigmoid(X - Y) * E.Sigmoid(-X);
        yield return new Unary(UnaryOp.Sign, X - Y) * (new Unary(UnaryOp.Sign, X) + 1);
        yield return E.Pow(E.Abs(X - Y), 2.5) / E.Pow(G, -1);
        yield return new Binary(BinaryOp.Min, X, Y) - new Binary(BinaryOp.Max, X, -Y);
        yield return (X * X) - (X * X * Y) + (X * X);
        yield return new Unary(UnaryOp.Sqrt, E.Abs(X * Y)) / (new Num(1) + E.Exp(-(Y * Y)));
    }

    [Fact]
    public void PrintedCSharpComputesWhatTheExpressionMeans()
    {
        // Compile the printer's C# for every builtin, its backward and the precedence cases; compare with the evaluator.
        Expr[] expressions = FunctionTable.Values
            .Concat(FunctionTable.Values.Select(Rewriter.ElementwiseBackward))
            .Concat(new[] { Builtins.SquaredError, Differentiator.Derive(Builtins.SquaredError, "o") })
            .Concat(PrecedenceCases())
            .ToArray();

        var source = new StringBuilder("public static class P\n{\n");
        for (int i = 0; i < expressions.Length; i++)
        {
            foreach (NumericType type in new[] { NumericType.Double, NumericType.Float })
            {
                string t = type == NumericType.Double ? "double" : "float";
                var (temps, code) = Printer.CSharp(expressions[i], type, v => v);
                source.Append("    public static ").Append(t).Append(' ').Append(type == NumericType.Double ? "D" : "F").Append(i)
                    .Append('(').Append(t).Append(" x, ").Append(t).Append(" y, ").Append(t).Append(" g, ").Append(t).Append(" o, ").Append(t).Append(" t)\n    {\n");
                foreach (var (name, value) in temps)
                {
                    source.Append("        ").Append(t).Append(' ').Append(name).Append(" = ").Append(value).Append(";\n");
                }

                source.Append("        return ").Append(code).Append(";\n    }\n");
            }
        }

        source.Append("}\n");
        var floatMath = new SourceWriter();
        NetworkEmitter.WriteFloatMath(floatMath); // the float printer calls CodegenMath.Tanh
        source.Append(floatMath);
        Type p = CompileAndLoad(source.ToString()).GetType("P")!;

        var points = new (double X, double Y, double G)[] { (0.7, -1.3, 0.4), (-2.1, 0.35, -1.7), (1.9, 2.2, 0.9), (-0.45, -0.8, 3.1) };
        for (int i = 0; i < expressions.Length; i++)
        {
            MethodInfo d = p.GetMethod("D" + i)!, f = p.GetMethod("F" + i)!;
            foreach ((double x, double y, double g) in points)
            {
                var env = new Dictionary<string, double> { ["x"] = x, ["y"] = y, ["g"] = g, ["o"] = y, ["t"] = g };
                double expected = Eval(expressions[i], env);
                double actual = (double)d.Invoke(null, new object[] { x, y, g, y, g })!;
                Assert.True(Close(actual, expected, 1e-12, 1e-12), $"{Printer.Math(expressions[i])} at {x}, {y}, {g}: C# gives {actual}, expected {expected}\n{Printer.CSharp(expressions[i], NumericType.Double, v => v).Code}");
                double single = (float)f.Invoke(null, new object[] { (float)x, (float)y, (float)g, (float)y, (float)g })!;
                Assert.True(Close(single, expected, 1e-4, 1e-4), $"{Printer.Math(expressions[i])} in float at {x}, {y}, {g}: C# gives {single}, expected {expected}");
            }
        }
    }

    [Fact]
    public void VectorCodeGivesTheScalarCodesBitsInEveryLane()
    {
        // The vector form of every expression that has one, compiled next to the scalar form, on values that include
        // the edge cases a select or a negation could get wrong (±0, NaN, ±∞): the same bits in every lane.
        Expr[] expressions = FunctionTable.Values
            .Concat(FunctionTable.Values.Select(Rewriter.ElementwiseBackward))
            .Concat(PrecedenceCases())
            .Concat(new[] { -X, -(X * Y), X / (Y - G) })
            .Where(e => VectorPrinter.CSharp(e, NumericType.Float, v => v) is not null)
            .ToArray();
        Assert.Contains(Builtins.ReLU, expressions);
        Assert.Contains(Rewriter.ElementwiseBackward(Builtins.ReLU), expressions);
        Assert.Contains(Builtins.LeakyReLU(0.01), expressions);
        Assert.Contains(Builtins.Tanh, expressions); // float only: CodegenMath.Tanh's vector overload
        Assert.Null(VectorPrinter.CSharp(Builtins.Tanh, NumericType.Double, v => v));
        Assert.Null(VectorPrinter.CSharp(Builtins.Elu(1), NumericType.Float, v => v));

        var source = new StringBuilder("using System.Runtime.Intrinsics;\npublic static class P\n{\n");
        for (int i = 0; i < expressions.Length; i++)
        {
            foreach (NumericType type in new[] { NumericType.Double, NumericType.Float })
            {
                string t = type == NumericType.Double ? "double" : "float", v = "Vector256<" + t + ">", n = (type == NumericType.Double ? "D" : "F") + i;
                var (temps, code) = Printer.CSharp(expressions[i], type, name => name);
                source.Append("    public static ").Append(t).Append(" S").Append(n).Append('(').Append(t).Append(" x, ").Append(t).Append(" y, ").Append(t).Append(" g)\n    {\n");
                foreach (var (name, value) in temps)
                {
                    source.Append("        ").Append(t).Append(' ').Append(name).Append(" = ").Append(value).Append(";\n");
                }

                source.Append("        return ").Append(code).Append(";\n    }\n");
                if (VectorPrinter.CSharp(expressions[i], type, name => name) is string vector)
                {
                    source.Append("    public static ").Append(v).Append(" V").Append(n).Append('(').Append(v).Append(" x, ").Append(v).Append(" y, ").Append(v).Append(" g) => ")
                        .Append(vector).Append(";\n");
                }
            }
        }

        source.Append("}\n");
        var floatMath = new SourceWriter();
        NetworkEmitter.WriteFloatMath(floatMath); // the float tanh, scalar and vector
        source.Append(floatMath);
        Type p = CompileAndLoad(source.ToString()).GetType("P")!;
        // The second set is for tanh's thresholds: 4·10⁻⁴ (below it the scalar code returns x) and ±7.9053 (clamped).
        double[][] valueSets =
        {
            new[] { 0.0, -0.0, 1.5, -2.25, 0.01, double.NaN, double.PositiveInfinity, double.NegativeInfinity },
            new[] { 0.0003, -0.0004, 0.00041, -9, 7.9, 7.91, -1e-30, 3 },
        };
        foreach (double[] values in valueSets)
        {
            for (int i = 0; i < expressions.Length; i++)
            {
                foreach (double y in new[] { 0.5, -0.0, double.NaN })
                {
                    double[] xs = values.Take(4).ToArray(), ys = Enumerable.Repeat(y, 4).ToArray(), gs = values.Skip(4).ToArray();
                    for (int shift = 0; shift < 2; shift++)
                    {
                        double[] x = shift == 0 ? xs : gs, g = shift == 0 ? gs : xs;
                        var vd = (System.Runtime.Intrinsics.Vector256<double>?)p.GetMethod("VD" + i)?.Invoke(null, new object[] { System.Runtime.Intrinsics.Vector256.Create(x), System.Runtime.Intrinsics.Vector256.Create(ys), System.Runtime.Intrinsics.Vector256.Create(g) });
                        float[] xf = x.Concat(g).Select(d => (float)d).ToArray(), yf = ys.Concat(ys).Select(d => (float)d).ToArray(), gf = g.Concat(x).Select(d => (float)d).ToArray();
                        var vf = (System.Runtime.Intrinsics.Vector256<float>)p.GetMethod("VF" + i)!.Invoke(null, new object[] { System.Runtime.Intrinsics.Vector256.Create(xf), System.Runtime.Intrinsics.Vector256.Create(yf), System.Runtime.Intrinsics.Vector256.Create(gf) })!;
                        for (int lane = 0; vd is { } doubles && lane < 4; lane++) // no double vector form for tanh
                        {
                            double sd = (double)p.GetMethod("SD" + i)!.Invoke(null, new object[] { x[lane], ys[lane], g[lane] })!;
                            Assert.True(BitConverter.DoubleToInt64Bits(sd) == BitConverter.DoubleToInt64Bits(doubles[lane]), $"{Printer.Math(expressions[i])} at x = {x[lane]}, y = {ys[lane]}, g = {g[lane]}: scalar {sd}, vector {doubles[lane]}");
                        }

                        for (int lane = 0; lane < 8; lane++)
                        {
                            float sf = (float)p.GetMethod("SF" + i)!.Invoke(null, new object[] { xf[lane], yf[lane], gf[lane] })!;
                            Assert.True(BitConverter.SingleToInt32Bits(sf) == BitConverter.SingleToInt32Bits(vf[lane]), $"{Printer.Math(expressions[i])} in float at x = {xf[lane]}, y = {yf[lane]}, g = {gf[lane]}: scalar {sf}, vector {vf[lane]}");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void MathFormIsReadable()
    {
        Assert.Equal("x > 0 ? x : 0.01·x", Printer.Math(Builtins.LeakyReLU(0.01)));
        Assert.Equal("x / (1 + |x|)", Printer.Math(Builtins.Softsign));
        Assert.Equal("g·(1 − y·y)", Printer.Math(Rewriter.ElementwiseBackward(Builtins.Tanh)));
        Assert.Equal("x − (y − g)", Printer.Math(X - (Y - G)));
    }

    // ---- A small evaluator, independent of the printer ------------------------------------------------------------

    private static double Eval(Expr e, double x) => Eval(e, new Dictionary<string, double> { ["x"] = x });

    private static double Eval(Expr e, IReadOnlyDictionary<string, double> env) => e switch
    {
        Num n => n.Value,
        Var v => env.TryGetValue(v.Name, out double value) ? value : throw new KeyNotFoundException("Unbound variable " + v.Name),
        Unary u => Apply(u.Op, Eval(u.Arg, env)),
        Binary b => Apply(b.Op, Eval(b.Left, env), Eval(b.Right, env)),
        Conditional c => Compare(c.Op, Eval(c.Left, env), Eval(c.Right, env)) ? Eval(c.WhenTrue, env) : Eval(c.WhenFalse, env),
        _ => throw new NotSupportedException(e.GetType().Name),
    };

    private static double Apply(UnaryOp op, double a) => op switch
    {
        UnaryOp.Negate => -a,
        UnaryOp.Exp => Math.Exp(a),
        UnaryOp.Log => Math.Log(a),
        UnaryOp.Sqrt => Math.Sqrt(a),
        UnaryOp.Abs => Math.Abs(a),
        UnaryOp.Sign => Math.Sign(a),
        UnaryOp.Tanh => Math.Tanh(a),
        UnaryOp.Sigmoid => 1 / (1 + Math.Exp(-a)),
        UnaryOp.Sin => Math.Sin(a),
        UnaryOp.Cos => Math.Cos(a),
        _ => throw new NotSupportedException(op.ToString()),
    };

    private static double Apply(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Subtract => a - b,
        BinaryOp.Multiply => a * b,
        BinaryOp.Divide => a / b,
        BinaryOp.Power => Math.Pow(a, b),
        BinaryOp.Max => Math.Max(a, b),
        BinaryOp.Min => Math.Min(a, b),
        _ => throw new NotSupportedException(op.ToString()),
    };

    private static bool Compare(Comparison op, double a, double b) => op switch
    {
        Comparison.Greater => a > b,
        Comparison.GreaterOrEqual => a >= b,
        Comparison.Less => a < b,
        Comparison.LessOrEqual => a <= b,
        _ => throw new NotSupportedException(op.ToString()),
    };

    /// <summary>Points in [−4, 4], none of them a round number.</summary>
    private static IEnumerable<double> Points()
    {
        for (double x = -4.0; x <= 4.0; x += 0.1731)
        {
            yield return x;
        }

        yield return 1e-3;
        yield return -1e-3;
        yield return 7.5;
        yield return -9.25;
    }

    /// <summary>Whether a comparison, |·|, sign, max or min of <paramref name="f"/> switches within the finite-difference step around x.</summary>
    private static bool NearKink(Expr f, double x)
    {
        foreach (Expr switching in Switches(f))
        {
            if (Math.Sign(Eval(switching, x - (2 * Eps))) != Math.Sign(Eval(switching, x + (2 * Eps))))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<Expr> Switches(Expr e)
    {
        switch (e)
        {
            case Conditional c:
                yield return c.Left - c.Right;
                foreach (Expr child in new[] { c.Left, c.Right, c.WhenTrue, c.WhenFalse }.SelectMany(Switches))
                {
                    yield return child;
                }

                break;
            case Unary { Op: UnaryOp.Abs or UnaryOp.Sign } u:
                yield return u.Arg;
                foreach (Expr child in Switches(u.Arg))
                {
                    yield return child;
                }

                break;
            case Unary u:
                foreach (Expr child in Switches(u.Arg))
                {
                    yield return child;
                }

                break;
            case Binary b:
                if (b.Op is BinaryOp.Max or BinaryOp.Min)
                {
                    yield return b.Left - b.Right;
                }

                foreach (Expr child in Switches(b.Left).Concat(Switches(b.Right)))
                {
                    yield return child;
                }

                break;
        }
    }

    private static IEnumerable<double> Constants(Expr e) => e switch
    {
        Num n => new[] { n.Value },
        Unary u => Constants(u.Arg),
        Binary b => Constants(b.Left).Concat(Constants(b.Right)),
        Conditional c => new[] { c.Left, c.Right, c.WhenTrue, c.WhenFalse }.SelectMany(Constants),
        _ => Array.Empty<double>(),
    };

    private static bool Close(double actual, double expected, double atol, double rtol) =>
        Math.Abs(actual - expected) <= atol + (rtol * Math.Abs(expected));

    private static Assembly CompileAndLoad(string source)
    {
        CSharpCompilation compilation = GeneratorDriverHelper.CreateCompilation(source);
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream);
        Assert.True(result.Success, GeneratorDriverHelper.Format(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) + "\n" + source);
        stream.Position = 0;
        return new AssemblyLoadContext("SymbolicTests", isCollectible: true).LoadFromStream(stream);
    }
}
