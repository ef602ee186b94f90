using Codegen;

namespace Codegen.Tests;

// Networks with batched overloads ([Network(MaxBatch = n)]). Layer widths are chosen to reach every path of the batch
// code: Dense rows longer than 16 values (batch kernels, two rows by four samples) with an odd number of units (the
// last row alone), short rows (the per-sample block in a loop), images, pooling, dropout, and batch sizes that are
// not multiples of four.

[Network(Precision = Precision.Double, MaxBatch = 8)]
[Input(40)]
[Dense(33), Tanh]
[Dense(17), ReLU]
[Dense(5), Softmax]
[CrossEntropy]
public partial class BatchMlp;

[Network(Precision = Precision.Double, MaxBatch = 6)]
[Input(2, 10, 8)]
[Conv2D(3, 3, Padding = 1), ReLU]
[MaxPool2D(2)]
[Conv2D(4, 2)]
[Flatten]
[Dense(20), Tanh]
[Dropout(0.3)]
[Dense(3)]
[MeanSquaredError]
public partial class BatchCnn;

[Network(MaxBatch = 32)]
[Input(784)]
[Dense(64), ReLU]
[Dense(10), Softmax]
[CrossEntropy]
public partial class BatchMnistMlp;

[Network(MaxBatch = 4)]
[Input(3)]
[Dense(2)]
[MeanSquaredError]
public partial struct BatchStruct : IFloatRegressor;
