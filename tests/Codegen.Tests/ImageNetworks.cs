using Codegen;

// Networks with image layers, in double, with odd sizes, strides above 1, padding, non-square kernels and several
// channels, for the finite-difference gradient tests.
namespace Codegen.Tests;

/// <summary>Stride 2, no padding, a 3×2 kernel, 2 input channels: 2×7×6 → 3×3×3.</summary>
[Network(Precision = Precision.Double)]
[Input(2, 7, 6)]
[Conv2D(3, 3, KernelWidth = 2, Stride = 2), Tanh]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class ConvStrideNet : IDoubleNetwork;

/// <summary>Padding 2, stride 2, a 5×3 kernel: 3×9×9 → 4×5×6.</summary>
[Network(Precision = Precision.Double)]
[Input(3, 9, 9)]
[Conv2D(4, 5, KernelHeight = 5, KernelWidth = 3, Padding = 2, Stride = 2), ELU]
[Flatten]
[Dense(3)]
[MeanSquaredError]
public partial class ConvPaddingNet : IDoubleNetwork;

/// <summary>Two convolutions, the second with padding 1 and a 17-wide kernel row (a loop, not unrolled).</summary>
[Network(Precision = Precision.Double)]
[Input(1, 5, 19)]
[Conv2D(2, 3, Padding = 1), ReLU]
[Conv2D(2, 1, KernelWidth = 17)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class ConvWideNet : IDoubleNetwork;

/// <summary>
/// Register-tiled convolutions (stride 1): rows of 17 (two vectors, then an overlapping one) and 13, 6 and 5 filters
/// (tiles of 4 filters, then of 1), 5- and 7-wide kernel rows (one weight-gradient tile, then a 4 and a 3), and input
/// gradients whose ∇ border differs by axis: 2×6×17 → 6×8×17 → 5×9×13.
/// </summary>
[Network(Precision = Precision.Double)]
[Input(2, 6, 17)]
[Conv2D(6, 3, KernelWidth = 5, Padding = 2), Tanh]
[Conv2D(5, 2, KernelWidth = 7, Padding = 1), ELU]
[Flatten]
[Dense(3)]
[MeanSquaredError]
public partial class ConvTiledNet : IDoubleNetwork;

/// <summary>
/// Register-tiled convolutions on wide rows, then vector max pooling: 2×5×30 → 4×5×30 (padding 1) → 3×2×28 (a 4×3
/// kernel, no padding) → 3×1×14.
/// </summary>
[Network(Precision = Precision.Double)]
[Input(2, 5, 30)]
[Conv2D(4, 3, Padding = 1), Tanh]
[Conv2D(3, 3, KernelHeight = 4)]
[MaxPool2D(2)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class ConvWideRowsNet : IDoubleNetwork;

/// <summary>
/// Register-tiled convolutions whose rows end half a Vector512 (4 doubles) or less past the last whole one, with an even
/// number of rows, where Vector512 is accelerated: the joined tiles take the columns left of two rows in one vector.
/// 2×8×22 → 13×6×20 (a Vector512 of two rows, then 4 columns left, for a tile of 8 filters, of 4, then of 1) → 3×6×18
/// (2 left: the joined vector overlaps the whole one before it); the second layer's input gradient is a 6×20
/// correlation with 13 outputs, joined as well.
/// </summary>
[Network(Precision = Precision.Double)]
[Input(2, 8, 22)]
[Conv2D(13, 3), Tanh]
[Conv2D(3, 1, KernelWidth = 3)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class ConvJoinedRowsNet : IDoubleNetwork;

/// <summary>
/// The Vector512 tiles in float (where Vector512 is accelerated): 2×10×44 → 13×6×40 (two Vector512s of two rows, then 8
/// columns left, joined; tiles of 8, 4 and 1 filters; ReLU applied as the sums are stored) → 3×4×28 (12 left: a
/// Vector512 that overlaps the one before).
/// </summary>
[Network]
[Input(2, 10, 44)]
[Conv2D(13, 5), ReLU]
[Conv2D(3, 3, KernelWidth = 13)]
[Flatten]
public partial class ConvJoinedRowsFloatNet;

/// <summary>
/// Register-tiled convolutions on narrow rows: 3×6×9 → 4×4×5 (a row of 5: two overlapping vectors of 4) → 4×4×8 (a
/// 1×1 kernel, whose input gradient needs no border) → 2×3×3 (narrower than a vector: the scalar loops).
/// </summary>
[Network(Precision = Precision.Double)]
[Input(3, 6, 9)]
[Conv2D(4, 3, KernelWidth = 5), ReLU]
[Conv2D(4, 1), Tanh]
[Conv2D(2, 2, KernelWidth = 3)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class ConvNarrowRowsNet : IDoubleNetwork;

/// <summary>2×2 max pooling and the unpooling that shows where each maximum was found, in float: rows of 17 windows.</summary>
[Network]
[Input(2, 6, 34)]
[MaxPool2D(2)]
[MaxUnpool2D]
[Flatten]
public partial class PoolRoutingNet;

/// <summary>The same with rows of 13 windows, which take one Vector512 each where AVX-512 is there (but the last row of all).</summary>
[Network]
[Input(3, 6, 26)]
[MaxPool2D(2)]
[MaxUnpool2D]
[Flatten]
public partial class PoolRouting13Net;

/// <summary>The same with rows of exactly 16 windows.</summary>
[Network]
[Input(2, 4, 32)]
[MaxPool2D(2)]
[MaxUnpool2D]
[Flatten]
public partial class PoolRouting16Net;

/// <summary>The same in double (4 windows to a vector).</summary>
[Network(Precision = Precision.Double)]
[Input(2, 6, 34)]
[MaxPool2D(2)]
[MaxUnpool2D]
[Flatten]
public partial class PoolRoutingDoubleNet;

/// <summary>Overlapping max pooling (3×3 windows, stride 2) on odd sizes: 2×7×9 → 2×3×4.</summary>
[Network(Precision = Precision.Double)]
[Input(2, 7, 9)]
[MaxPool2D(3, Stride = 2)]
[Flatten]
[Dense(3)]
[MeanSquaredError]
public partial class MaxPoolNet : IDoubleNetwork;

/// <summary>
/// Flatten as the first layer: it copies the input (the later layers' arrays are its own), and its ∂ℓ/∂x goes to the
/// caller's span; every other network here flattens after another layer, whose arrays Flatten shares.
/// </summary>
[Network(Precision = Precision.Double)]
[Input(2, 3, 4)]
[Flatten]
[Dense(5), Tanh]
[Dense(2)]
[MeanSquaredError]
public partial class FlattenFirstNet : IDoubleNetwork;

/// <summary>Average pooling, stride 1 and stride 3.</summary>
[Network(Precision = Precision.Double)]
[Input(3, 7, 7)]
[AvgPool2D(2, Stride = 1)]
[AvgPool2D(3)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class AvgPoolNet : IDoubleNetwork;

/// <summary>Transposed convolution with stride 2 and padding 1: 2×3×4 → 3×5×7; and one without padding.</summary>
[Network(Precision = Precision.Double)]
[Input(2, 3, 4)]
[ConvTranspose2D(3, 3, Stride = 2, Padding = 1), Tanh]
[ConvTranspose2D(1, 2, KernelWidth = 3)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class ConvTransposeNet : IDoubleNetwork;

/// <summary>Pooling and the unpooling that undoes it, around a convolution that keeps the shape.</summary>
[Network(Precision = Precision.Double)]
[Input(2, 6, 8)]
[Conv2D(3, 3, Padding = 1), Tanh]
[MaxPool2D(2)]
[Conv2D(3, 3, Padding = 1)]
[MaxUnpool2D]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class UnpoolNet : IDoubleNetwork;

/// <summary>
/// Convolutions followed by max pooling, through ReLU (layer 1, padded, 6 kernel rows) and directly (layer 4, 10 kernel
/// rows: a tile of 8 and one of 2): their ∂ℓ/∂W is summed over the windows' winners (PooledWeightGradient); ∇⁽¹⁾ is
/// still computed for ∂ℓ/∂x when it is asked for.
/// </summary>
[Network(Precision = Precision.Double)]
[Input(2, 10, 10)]
[Conv2D(5, 3, Padding = 1), ReLU]
[MaxPool2D(2)]
[Conv2D(4, 2)]
[MaxPool2D(2)]
[Flatten]
[Dense(3)]
[MeanSquaredError]
public partial class PooledGradientNet : IDoubleNetwork;

/// <summary>
/// Overlapping max pooling (3×3 windows, stride 2) after a convolution and ReLU: 1×9×21 → 2×7×19 → 2×3×9. Its pooled
/// weight gradient finds each winner's row among three by comparisons, and nine windows to a pooled row take the
/// eight-lane path and the scalar one.
/// </summary>
[Network(Precision = Precision.Double)]
[Input(1, 9, 21)]
[Conv2D(2, 3), ReLU]
[MaxPool2D(3, Stride = 2)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class PooledOverlapNet : IDoubleNetwork;

/// <summary>
/// Max pooling after a padded convolution and ReLU with 289 windows per filter (17×17): PooledWeightGradient prepares the
/// winners in chunks of 256, so each filter's sums span two chunks.
/// </summary>
[Network(Precision = Precision.Double)]
[Input(1, 34, 34)]
[Conv2D(2, 3, Padding = 1), ReLU]
[MaxPool2D(2)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class PooledChunksNet : IDoubleNetwork;

/// <summary>Dropout between two dense layers.</summary>
[Network(Precision = Precision.Double)]
[Input(6)]
[Dense(12), Tanh]
[Dropout(0.4)]
[Dense(3)]
[MeanSquaredError]
public partial class DropoutNet : IDoubleNetwork;

/// <summary>A small classifier with every kind of image layer, as the Fashion-MNIST sample uses them, in float.</summary>
[Network]
[Input(1, 12, 12)]
[Conv2D(4, 5, Padding = 2), ReLU]
[MaxPool2D(2)]
[Conv2D(6, 3), ReLU]
[MaxPool2D(2)]
[Flatten]
[Dense(16), ReLU]
[Dropout(0.25)]
[Dense(10), Softmax]
[CrossEntropy]
public partial class SmallCnn;

/// <summary>The network of the Fashion-MNIST benchmark table (the TensorFlow tutorial model), for size checks.</summary>
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

/// <summary>
/// The benchmark's CNN in float with a mean square error: 8 filters (two passes of four) of 5×5 over 1×28×28, ReLU, 2×2
/// max pooling; where AVX-512 is there its pooled weight gradient takes the paired path, and the last windows read the
/// copied end of x. Checked against <see cref="PairedCnnTwin"/>.
/// </summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(8, 5), ReLU]
[MaxPool2D(2)]
[Flatten]
[Dense(3)]
[MeanSquaredError]
public partial class PairedCnnNet : IFloatGradients;

/// <summary><see cref="PairedCnnNet"/> in double: its kernels are 5 wide, so its weight gradient runs over the whole ∇ plane.</summary>
[Network(Precision = Precision.Double)]
[Input(1, 28, 28)]
[Conv2D(8, 5), ReLU]
[MaxPool2D(2)]
[Flatten]
[Dense(3)]
[MeanSquaredError]
public partial class PairedCnnTwin : IDoubleNetwork;

/// <summary>
/// 3 filters (the second pair has one past the last), 2 channels, kernels of 7 rows (tiles of 6 and 1) and 3 columns, no
/// ReLU, 35 windows per filter (two vectors of 16 and 3 more). Checked against <see cref="PairedOddTwin"/>.
/// </summary>
[Network]
[Input(2, 16, 16)]
[Conv2D(3, 7, KernelWidth = 3)]
[MaxPool2D(2)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class PairedOddNet : IFloatGradients;

/// <summary><see cref="PairedOddNet"/> in double (the Vector256 pooled weight gradient).</summary>
[Network(Precision = Precision.Double)]
[Input(2, 16, 16)]
[Conv2D(3, 7, KernelWidth = 3)]
[MaxPool2D(2)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class PairedOddTwin : IDoubleNetwork;

/// <summary>
/// 6 filters (a pair past the last in the second pass), kernels 8 wide, padding, ReLU, and 288 windows per filter (chunks of
/// 256 and 32). Checked against <see cref="PairedWideTwin"/>.
/// </summary>
[Network]
[Input(1, 36, 37)]
[Conv2D(6, 3, KernelWidth = 8, Padding = 1), ReLU]
[MaxPool2D(2)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class PairedWideNet : IFloatGradients;

/// <summary><see cref="PairedWideNet"/> in double.</summary>
[Network(Precision = Precision.Double)]
[Input(1, 36, 37)]
[Conv2D(6, 3, KernelWidth = 8, Padding = 1), ReLU]
[MaxPool2D(2)]
[Flatten]
[Dense(2)]
[MeanSquaredError]
public partial class PairedWideTwin : IDoubleNetwork;
