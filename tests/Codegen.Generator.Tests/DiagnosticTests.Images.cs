using Xunit;

namespace Codegen.Generator.Tests;

// Diagnostics of the image layers: impossible shapes (with the arithmetic in the message), a layer that needs an image
// and receives a vector, a Dense layer after an image, an unpooling without its pooling.
public sealed partial class DiagnosticTests
{
    [Theory]
    [InlineData("[Input(1, 28, 28)]\n[{|Conv2D(8, 5, Stride = 2)|}]", "(28 − 5)/2 + 1 = 12.5")]
    [InlineData("[Input(1, 28, 27)]\n[{|Conv2D(8, 5, Padding = 1, Stride = 3)|}]", "(28 + 2·1 − 5)/3 + 1 = 9.333")]
    [InlineData("[Input(1, 4, 4)]\n[{|Conv2D(8, 5)|}]", "the kernel is 5 height, more than the 4")]
    [InlineData("[Input(1, 4, 9)]\n[{|Conv2D(8, 3, KernelHeight = 7, Padding = 1)|}]", "more than the 6 of the padded input")]
    [InlineData("[Input(3, 9, 9)]\n[{|MaxPool2D(2)|}]", "(9 − 2)/2 + 1 = 4.5")]
    [InlineData("[Input(3, 8, 8)]\n[{|AvgPool2D(3, Stride = 2)|}]", "(8 − 3)/2 + 1 = 3.5")]
    [InlineData("[Input(2, 1, 1)]\n[{|ConvTranspose2D(2, 1, Padding = 1)|}]", "(1 − 1)·1 − 2·1 + 1 = −1")]
    public void CG0022_ShapeArithmetic(string layers, string arithmetic) =>
        ExpectOnly("CG0022", new[] { "'Net'", arithmetic.Replace("−1", "-1") }, Usings + "[Network]\n" + layers + "\n[Flatten]\n[Dense(2)]\npublic partial class Net;");

    [Theory]
    [InlineData("[Input(784)]\n[{|Conv2D(8, 5)|}]", "[Conv2D]")]
    [InlineData("[Input(10)]\n[{|MaxPool2D(2)|}]", "[MaxPool2D]")]
    [InlineData("[Input(10)]\n[{|Flatten|}]", "[Flatten]")]
    [InlineData("[Input(1, 8, 8)]\n[Flatten]\n[{|AvgPool2D(2)|}]", "[AvgPool2D]")]
    public void CG0023_NeedsImage(string layers, string attribute) =>
        ExpectOnly("CG0023", new[] { attribute, "'Net'", "vector of", "[Input(channels, height, width)]" }, Usings + "[Network]\n" + layers + "\n[Dense(2)]\npublic partial class Net;");

    [Fact]
    public void CG0024_NeedsFlatten() =>
        ExpectOnly("CG0024", new[] { "'Net'", "2×6×6", "[Flatten]" }, Usings + "[Network]\n[Input(1, 8, 8)]\n[Conv2D(2, 3)]\n[{|Dense(10)|}]\npublic partial class Net;");

    [Fact]
    public void CG0025_UnpoolWithoutPool() =>
        ExpectOnly("CG0025", new[] { "'Net'", "no [MaxPool2D]" }, Usings + "[Network]\n[Input(1, 8, 8)]\n[AvgPool2D(2)]\n[{|MaxUnpool2D|}]\n[Flatten]\n[Dense(1)]\npublic partial class Net;");

    [Fact]
    public void CG0025_UnpoolShapeMismatch() =>
        ExpectOnly("CG0025", new[] { "'Net'", "receives 3×4×4", "layer 1", "1×4×4" }, Usings + "[Network]\n[Input(1, 8, 8)]\n[MaxPool2D(2)]\n[Conv2D(3, 3, Padding = 1)]\n[{|MaxUnpool2D|}]\n[Flatten]\n[Dense(1)]\npublic partial class Net;");

    [Theory]
    [InlineData("[{|Dropout(1.0)|}]", "less than 1")]
    [InlineData("[{|Dropout(-0.1)|}]", "at least 0")]
    [InlineData("[{|Conv2D(2, 3, Padding = -1)|}]", "Padding must be 0 or more")]
    public void CG0012_InvalidImageArguments(string layer, string message) =>
        ExpectOnly("CG0012", new[] { "'Net'", message }, Usings + "[Network]\n[Input(1, 8, 8)]\n" + layer + "\n[Flatten]\n[Dense(1)]\npublic partial class Net;");

    [Theory]
    [InlineData("[{|Conv2D(0, 3)|}]", "filters = 0")]
    [InlineData("[{|MaxPool2D(2, Stride = -2)|}]", "Stride = -2")]
    [InlineData("[{|Input(0, 8, 8)|}]", "channels = 0")]
    public void CG0007_NonPositiveImageSizes(string layer, string message)
    {
        string layers = layer.Contains("Input", System.StringComparison.Ordinal) ? layer + "\n[Flatten]" : "[Input(1, 8, 8)]\n" + layer + "\n[Flatten]";
        ExpectOnly("CG0007", new[] { "'Net'", message }, Usings + "[Network]\n" + layers + "\n[Dense(1)]\npublic partial class Net;");
    }
}
