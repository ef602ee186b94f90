using System;
using Codegen;

// One file of ten networks, for the compile-time benchmark (the generator runs on this file's text, embedded); also
// compiled here, for the IL sizes of the generated methods.
namespace Codegen.Benchmarks.Ten;

[Network]
[Input(4)]
[Dense(16), ReLU]
[Dense(3), Softmax]
[CrossEntropy]
public partial class Iris;

[Network]
[Input(784)]
[Dense(256), ReLU]
[Dense(128), ReLU]
[Dense(10), Softmax]
[CrossEntropy]
public partial class DeepMlp;

[Network(Precision = Precision.Double)]
[Input(2)]
[Dense(4), Tanh]
[Dense(1), Sigmoid]
[BinaryCrossEntropy]
public partial class Xor;

[Network]
[Input(8)]
[Dense(32), Activation(nameof(Swish))]
[Dense(1)]
[Loss(nameof(LogCosh))]
public partial class Regressor
{
    static float Swish(float x) => x / (1 + MathF.Exp(-x));

    static float LogCosh(float output, float target) => MathF.Log(MathF.Cosh(output - target));
}

[Network]
[Input(64)]
[Dense(32), LeakyReLU(0.1)]
[Dense(16), ELU]
[Dense(10), Softmax]
[CrossEntropy]
public partial class Digits;

[Network]
[Input(32)]
[Dense(8), Sigmoid]
[Dense(32), Softsign]
[MeanSquaredError]
public partial class AutoEncoderMlp;

[Network]
[Input(1, 28, 28)]
[Conv2D(8, 5), ReLU]
[MaxPool2D(2)]
[Flatten]
[Dense(10), Softmax]
[CrossEntropy]
public partial class SmallCnn;

[Network]
[Input(3, 32, 32)]
[Conv2D(16, 3, Padding = 1), ReLU]
[MaxPool2D(2)]
[Conv2D(32, 3, Padding = 1), ReLU]
[AvgPool2D(2)]
[Flatten]
[Dense(64), ReLU]
[Dense(10), Softmax]
[CrossEntropy]
public partial class Cifar;

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
public partial struct ConvAutoEncoder;

[Network]
[Input(10)]
[Dense(10)]
[MeanSquaredError]
public partial class Linear;
