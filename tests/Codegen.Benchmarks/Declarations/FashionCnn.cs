using Codegen;

// The Fashion-MNIST CNN of tests/Codegen.Generator.Tests/ImageGoldenTests.cs. The compile-time benchmark feeds this
// file's text to the generator (it is embedded); it is also compiled here, for the IL sizes of its methods.
namespace Codegen.Benchmarks.Compile;

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
