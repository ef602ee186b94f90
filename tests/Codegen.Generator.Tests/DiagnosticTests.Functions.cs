using Xunit;

namespace Codegen.Generator.Tests;

// Diagnostics of user-written functions ([Activation], [Loss]) and of the declarations refused after review
// (records, file-local types, primary constructors). Each points at the exact sub-expression or attribute.
public sealed partial class DiagnosticTests
{
    private const string Regressor = "[Network]\n[Input(2)]\n[Dense(3), {|Activation(nameof(Swish))|}]\n[Dense(1)]\n[MeanSquaredError]\npublic partial class Net\n{\n";

    [Fact]
    public void CG0017_FunctionNotFound() => ExpectOnly("CG0017", new[] { "[Activation]", "'Swish'", "'Net'", "static float Swish(float x)" }, Usings + Regressor + "}");

    [Fact]
    public void CG0017_FunctionNotFoundOnAnotherType() => ExpectOnly("CG0017", new[] { "[Loss]", "'Huber'", "'Functions'" }, Usings + """
        public static class Functions
        {
        }

        [Network]
        [Input(2)]
        [Dense(1)]
        [{|Loss(typeof(Functions), "Huber")|}]
        public partial class Net;
        """);

    [Theory]
    [InlineData("static double Swish(double x) => x;", "double Net.Swish(double x)")]
    [InlineData("static float Swish(float x, float y) => x;", "float Net.Swish(float x, float y)")]
    [InlineData("static float Swish(ref float x) => x;", "ref float x")]
    [InlineData("float Swish(float x) => x;", "float Net.Swish(float x)")]
    public void CG0018_FunctionSignature(string method, string shown) =>
        ExpectOnly("CG0018", new[] { "[Activation]", "static float Swish(float x)", shown, "float" }, Usings + Regressor + method + "\n}");

    [Theory]
    [InlineData("static float Swish(float x)\n{\n    float s = 0;\n    {|for (int i = 0; i < 3; i++) s += x;|}\n    return s;\n}", "a loop")]
    [InlineData("static float Swish(float x) => Helper(x);\nstatic float Helper(float x) { return Other(x); }\nstatic float Other(float x) => {|Other(x)|};", "calls itself")]
    [InlineData("static float Swish(float x) => x * {|Scale|};\nstatic float Scale = 2;", "not 'const'")]
    [InlineData("static float Swish(float x) => x * {|_scale|};\nfloat _scale = 2;", "instance member")]
    [InlineData("static float Swish(float x) => {|System.MathF.Round(x)|};", "'Round'")]
    [InlineData("static float Swish(float x) => {|x % 2|};", "'%'")]
    [InlineData("static float Swish(float x) => {|x == 0|} ? 1 : x;", "one comparison")]
    [InlineData("static float Swish(float x)\n{\n    var y = x;\n    {|y = y * 2;|}\n    return y;\n}", "side effect")]
    [InlineData("static float Swish(float x) => {|string.Empty.Length|} * x;", "instance member")]
    [InlineData("static float Swish(float x) => x * {|Helpers.Scale|};\nstatic class Helpers { public static readonly float Scale = 2; }", "not 'const'")]
    [InlineData("static float Swish(float x) => {|Twice(x)|};\nstatic int Twice(float x) => 2;", "float or double")]
    public void CG0019_UnsupportedInFunction(string methods, string reason)
    {
        string source = Usings + "[Network]\n[Input(2)]\n[Dense(3), Activation(nameof(Swish))]\n[Dense(1)]\n[MeanSquaredError]\npublic partial class Net\n{\n" + methods + "\n}";
        ExpectAmong("CG0019", new[] { "Swish", "[Activation(Swish)]", "'Net'", reason, "docs/derivatives.md" }, source);
    }

    [Fact]
    public void CG0019_PointsIntoAnotherFile() => ExpectOnly("CG0019", new[] { "'Gelu'", "loop" },
        Usings + "[Network]\n[Input(2)]\n[Dense(3), Activation(typeof(Functions), nameof(Functions.Gelu))]\n[Dense(1)]\n[MeanSquaredError]\npublic partial class Net;",
        Usings + "public static class Functions\n{\n    public static float Gelu(float x)\n    {\n        {|while (x > 1) { }|}\n        return x;\n    }\n}");

    [Fact]
    public void CG0020_FunctionWithoutSource() => ExpectOnly("CG0020", new[] { "[Activation]", "'Tanh'", "another assembly" }, Usings + """
        [Network]
        [Input(2)]
        [Dense(3), {|Activation(typeof(System.MathF), nameof(System.MathF.Tanh))|}]
        [Dense(1)]
        public partial class Net;
        """);

    [Theory]
    [InlineData("public partial record class {|Net|};")]
    [InlineData("public partial record {|Net|};")]
    [InlineData("public partial record struct {|Net|};")]
    public void CG0004_Record(string declaration) =>
        ExpectOnly("CG0004", new[] { "'Net'", "a record", "'with'" }, Usings + "[Network]\n[Input(2)]\n[Dense(1)]\n" + declaration);

    [Fact]
    public void CG0004_FileLocal() =>
        ExpectOnly("CG0004", new[] { "'Net'", "file-local" }, Usings + "[Network]\n[Input(2)]\n[Dense(1)]\nfile partial class {|Net|};");

    [Theory]
    [InlineData("public partial class {|Net|}(int seed)\n{\n    public int Seed => seed;\n}")]
    [InlineData("public partial struct {|Net|}(int seed)\n{\n    public int Seed => seed;\n}")]
    public void CG0021_PrimaryConstructor(string declaration) =>
        ExpectOnly("CG0021", new[] { "'Net'", "primary constructor", "this()" }, Usings + "[Network]\n[Input(2)]\n[Dense(1)]\n" + declaration);
}
