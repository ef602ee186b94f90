using Codegen.Generator.Tests.TestHelpers;
using Xunit;

namespace Codegen.Generator.Tests;

/// <summary>Golden files of two networks with image layers; each also compiles cleanly and stays cached.</summary>
public sealed class ImageGoldenTests
{
    /// <summary>The two-convolution network of the Fashion-MNIST benchmark table (the TensorFlow tutorial model).</summary>
    internal const string FashionCnn = """
        using Codegen;

        namespace Demo;

        [Network]
        [Input(1, 28, 28)]
        [Conv2D(32, 5, Padding = 2), ReLU]
        [MaxPool2D(2)]
        [Conv2D(64, 5, Padding = 2), ReLU]
        [MaxPool2D(2)]
        [Flatten]
        [Dense(1024), ReLU]
        [Dropout(0.4)]
        [Dense(10), Softmax]
        [CrossEntropy]
        public partial class FashionCnn;
        """;

    /// <summary>An encoder-decoder with every other image layer: strides, a non-square kernel, unpooling, transposed convolution.</summary>
    internal const string AutoEncoder = """
        using Codegen;

        namespace Demo;

        [Network(Precision = Precision.Double)]
        [Input(3, 16, 18)]
        [Conv2D(8, 3, KernelWidth = 5, Padding = 1, Stride = 1, KernelHeight = 3), ELU]
        [MaxPool2D(2)]
        [Conv2D(8, 3, Padding = 1), Tanh]
        [AvgPool2D(2, Stride = 2)]
        [ConvTranspose2D(8, 2, Stride = 2)]
        [MaxUnpool2D]
        [Dropout(0.1)]
        [ConvTranspose2D(3, 3, Padding = 1), Sigmoid]
        [MeanSquaredError]
        public partial struct AutoEncoder;
        """;

    [Fact]
    public void FashionMnistCnn()
    {
        GoldenFile.Verify(GeneratorDriverHelper.RunValid(FashionCnn));
        GeneratorDriverHelper.AssertCached(FashionCnn);
    }

    [Fact]
    public void ConvolutionalAutoEncoder()
    {
        GoldenFile.Verify(GeneratorDriverHelper.RunValid(AutoEncoder));
        GeneratorDriverHelper.AssertCached(AutoEncoder);
    }
}
