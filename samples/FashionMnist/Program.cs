// FashionMnist: trains a convolutional network (or a dense one), generated at compile time by Codegen, on Fashion-MNIST.
// Get the data: sudo apt-get install dataset-fashion-mnist   (or pass --data DIR with the four IDX .gz files)
// Run from the repository root: dotnet run -c Release --project samples/FashionMnist [-- --model mlp]
// Options: --model cnn|mlp, --data DIR, --epochs N, --seed N, --batch-size N, --learning-rate X, --lr-decay X,
// --train-limit N (see Usage below).

using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using Codegen;

namespace FashionMnist;

/// <summary>
/// A two-convolution network: 5x5 convolutions with padding 2 (so they keep the size), each with ReLU and 2x2 max
/// pooling, then a dense ReLU layer, dropout and a 10-way softmax with cross-entropy loss. Input: one 28x28 channel
/// (CHW, pixels in [0, 1]). Shapes: 1x28x28 → 16x28x28 → 16x14x14 → 32x14x14 → 32x7x7 → 1568 → 128 → 10.
/// </summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(16, 5, Padding = 2), ReLU]
[MaxPool2D(2)]
[Conv2D(32, 5, Padding = 2), ReLU]
[MaxPool2D(2)]
[Flatten]
[Dense(128), ReLU]
[Dropout(0.25)]
[Dense(10), Softmax]
[CrossEntropy]
public partial class FashionCnn : IClassifier;

/// <summary>The dense network of the Fashion-MNIST benchmark table ("MLPClassifier 256-128-100"): 784 → 256 → 128 → 100 → 10.</summary>
[Network]
[Input(784)]
[Dense(256), ReLU]
[Dense(128), ReLU]
[Dense(100), ReLU]
[Dense(10), Softmax]
[CrossEntropy]
public partial class FashionMlp : IClassifier
{
    // No Dropout, so no generated Training property: training and evaluation are the same computation.
    bool IClassifier.Training
    {
        get => false;
        set { }
    }
}

/// <summary>The members of a generated network that the training loop uses, so one loop serves both networks.</summary>
internal interface IClassifier
{
    bool Training { get; set; }

    void Forward(ReadOnlySpan<float> input, Span<float> output);

    float Backward(int label);

    void Step(float learningRate);

    void InitializeParameters(ulong seed);
}

internal static class Program
{
    private const int Rows = 28;
    private const int Columns = 28;
    private const int Pixels = Rows * Columns;  // 784, row-major: the CHW layout of one channel
    private const int Classes = 10;
    private const int TrainCount = 60_000;
    private const int TestCount = 10_000;
    private const string DefaultData = "/usr/share/datasets/fashion-mnist/";
    private const int ProgressLines = 5;        // progress lines per epoch

    private static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private const string Usage =
        "Usage: FashionMnist [--model cnn|mlp] [--data DIR] [--epochs N] [--seed N] [--batch-size N]\n" +
        "                    [--learning-rate X] [--lr-decay X] [--train-limit N]\n" +
        "  --model cnn|mlp      the network to train (default cnn)\n" +
        "  --data DIR           folder with the four Fashion-MNIST IDX .gz files (default " + DefaultData + ")\n" +
        "  --epochs N           passes over the training set (default 10 for cnn, 20 for mlp)\n" +
        "  --seed N             seeds the initial parameters, dropout and the per-epoch shuffle (default 42)\n" +
        "  --batch-size N       samples per SGD step (default 32)\n" +
        "  --learning-rate X    SGD step size of the first epoch: each step moves by X / batch size times the summed\n" +
        "                       gradient (default 0.1)\n" +
        "  --lr-decay X         the learning rate is multiplied by X after every epoch (default 0.85 for cnn, 0.9 for mlp)\n" +
        "  --train-limit N      train on the first N of the 60,000 training images only (default: all; for timing)";

    public static int Main(string[] args)
    {
        var total = Stopwatch.StartNew();

        string model = "cnn";
        string dataDirectory = DefaultData;
        int? epochsOption = null;
        ulong seed = 42;
        int batchSize = 32;
        float learningRate = 0.1f;
        float? decayOption = null;
        int trainLimit = TrainCount;

        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i];
            if (option is "-h" or "--help")
            {
                Console.WriteLine(Usage);
                return 0;
            }

            if (option is not ("--model" or "--data" or "--epochs" or "--seed" or "--batch-size" or "--learning-rate"
                or "--lr-decay" or "--train-limit"))
            {
                return UsageError($"unknown option '{option}'");
            }

            if (i + 1 >= args.Length)
            {
                return UsageError($"missing value after {option}");
            }

            string value = args[++i];
            int parsedInt = 0;
            float parsedFloat = 0f;
            bool ok = option switch
            {
                "--model" => Assign(value is "cnn" or "mlp" ? value : null, out model),
                "--data" => Assign(value.Length > 0 ? value : null, out dataDirectory),
                "--epochs" => TryPositive(value, out parsedInt) && Set(out epochsOption, parsedInt),
                "--seed" => ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out seed),
                "--batch-size" => TryPositive(value, out batchSize),
                "--learning-rate" => float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out learningRate)
                    && float.IsFinite(learningRate) && learningRate > 0f,
                "--lr-decay" => float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out parsedFloat)
                    && parsedFloat > 0f && parsedFloat <= 1f && Set(out decayOption, parsedFloat),
                "--train-limit" => TryPositive(value, out trainLimit) && trainLimit <= TrainCount,
                _ => false,
            };
            if (!ok)
            {
                return UsageError($"invalid value for {option}: '{value}'");
            }
        }

        bool cnn = model == "cnn";
        int epochs = epochsOption ?? (cnn ? 10 : 20);
        float decay = decayOption ?? (cnn ? 0.85f : 0.9f);

        string trainImagesPath = Path.Combine(dataDirectory, "train-images-idx3-ubyte.gz");
        string trainLabelsPath = Path.Combine(dataDirectory, "train-labels-idx1-ubyte.gz");
        string testImagesPath = Path.Combine(dataDirectory, "t10k-images-idx3-ubyte.gz");
        string testLabelsPath = Path.Combine(dataDirectory, "t10k-labels-idx1-ubyte.gz");
        foreach (string path in (string[])[trainImagesPath, trainLabelsPath, testImagesPath, testLabelsPath])
        {
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"error: Fashion-MNIST file not found: {path}");
                Console.Error.WriteLine("Install the data set with:  sudo apt-get install dataset-fashion-mnist");
                Console.Error.WriteLine($"(it goes to {DefaultData}), or download the four .gz files from");
                Console.Error.WriteLine("https://github.com/zalandoresearch/fashion-mnist and pass their folder with --data DIR.");
                return 1;
            }
        }

        float[] trainImages, testImages;
        byte[] trainLabels, testLabels;
        var loading = Stopwatch.StartNew();
        try
        {
            trainImages = ReadImages(trainImagesPath, TrainCount);
            trainLabels = ReadLabels(trainLabelsPath, TrainCount);
            testImages = ReadImages(testImagesPath, TestCount);
            testLabels = ReadLabels(testLabelsPath, TestCount);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }

        loading.Stop();

        int[] train = new int[trainLimit];
        for (int i = 0; i < train.Length; i++)
        {
            train[i] = i;
        }

        int[] test = new int[TestCount];
        for (int i = 0; i < test.Length; i++)
        {
            test[i] = i;
        }

        IClassifier net;
        string description;
        int parameterCount;
        if (cnn)
        {
            net = new FashionCnn();
            description = "1x28x28 -> Conv2D(16, 5x5, padding 2), ReLU -> MaxPool(2) -> Conv2D(32, 5x5, padding 2), ReLU -> MaxPool(2)"
                + " -> Flatten(1568) -> Dense(128), ReLU -> Dropout(0.25) -> Dense(10), Softmax";
            parameterCount = FashionCnn.ParameterCount;
        }
        else
        {
            net = new FashionMlp();
            description = "784 -> Dense(256), ReLU -> Dense(128), ReLU -> Dense(100), ReLU -> Dense(10), Softmax";
            parameterCount = FashionMlp.ParameterCount;
        }

        net.InitializeParameters(seed);
        var shuffleRandom = new DeterministicRandom(seed ^ 0x5DEECE66DUL);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Fashion-MNIST from {dataDirectory}: {TrainCount} train, {TestCount} test images of 28x28 (read in {loading.Elapsed.TotalSeconds:F1} s)"));
        if (trainLimit < TrainCount)
        {
            Console.WriteLine($"Training on the first {trainLimit} training images only (--train-limit)");
        }

        Console.WriteLine($"Model {model}: {description}; cross-entropy; {parameterCount} parameters");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training: {epochs} epochs, mini-batch SGD, batch {batchSize}, learning rate {learningRate} x {decay} per epoch, seed {seed}"));
        Console.WriteLine();

        // The training loop allocates nothing: one output buffer on the stack, the network's own buffers, index arrays.
        Span<float> output = stackalloc float[Classes];
        int progressEvery = Math.Max(1, train.Length / ProgressLines);
        double testAccuracy = 0;
        int[] confusion = new int[Classes * Classes]; // [label, predicted] on the test set, after the last epoch
        var training = Stopwatch.StartNew();

        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var epochTime = Stopwatch.StartNew();
            float rate = learningRate * MathF.Pow(decay, epoch - 1);
            float scaledRate = rate / batchSize; // Step(η / B) on the summed gradient of B samples = η × their mean
            Shuffle(train, ref shuffleRandom);

            net.Training = true;
            double lossSum = 0;
            double windowLoss = 0;
            int windowCount = 0;
            int correct = 0;
            int inBatch = 0;
            for (int n = 0; n < train.Length; n++)
            {
                int row = train[n];
                net.Forward(trainImages.AsSpan(row * Pixels, Pixels), output);
                if (ArgMax(output) == trainLabels[row])
                {
                    correct++;
                }

                float loss = net.Backward(trainLabels[row]);
                lossSum += loss;
                windowLoss += loss;
                windowCount++;
                if (++inBatch == batchSize)
                {
                    net.Step(scaledRate);
                    inBatch = 0;
                }

                if ((n + 1) % progressEvery == 0 && n + 1 < train.Length)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  epoch {epoch} {100.0 * (n + 1) / train.Length,3:F0}%  loss {windowLoss / windowCount:F4} (last {windowCount})  {epochTime.Elapsed.TotalSeconds:F0} s"));
                    windowLoss = 0;
                    windowCount = 0;
                }
            }

            if (inBatch > 0)
            {
                net.Step(scaledRate); // the last, shorter batch: the same weight per sample as the others
            }

            double trainSeconds = epochTime.Elapsed.TotalSeconds;
            net.Training = false;
            Array.Clear(confusion);
            testAccuracy = Accuracy(net, testImages, testLabels, test, output, confusion);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch,2}  lr {rate:F4}  train loss {lossSum / train.Length:F4}  train acc {(double)correct / train.Length:F4}"
                + $"  test acc {testAccuracy:F4}  {trainSeconds:F1} s train + {epochTime.Elapsed.TotalSeconds - trainSeconds:F1} s test"));
        }

        training.Stop();

        Console.WriteLine();
        Console.WriteLine("Test accuracy per class:");
        for (int c = 0; c < Classes; c++)
        {
            int inClass = 0;
            for (int k = 0; k < Classes; k++)
            {
                inClass += confusion[(c * Classes) + k];
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {c} {ClassNames[c],-12} {(double)confusion[(c * Classes) + c] / inClass:F4}"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Final test accuracy: {testAccuracy:F4} ({Math.Round(testAccuracy * test.Length)}/{test.Length})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training time: {training.Elapsed.TotalSeconds:F1} s ({training.Elapsed.TotalSeconds / epochs:F1} s per epoch, with evaluation); total time: {total.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    private static bool Assign(string? value, out string target)
    {
        target = value ?? string.Empty;
        return value is not null;
    }

    private static bool Set<T>(out T? target, T value)
        where T : struct
    {
        target = value;
        return true;
    }

    private static bool TryPositive(string value, out int result) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result > 0;

    private static int UsageError(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine(Usage);
        return 2;
    }

    /// <summary>Decompresses a whole .gz file into memory.</summary>
    private static byte[] ReadGzip(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>
    /// Reads an IDX image file: big-endian int32 magic 2051, count, rows, columns, then count × rows × columns bytes
    /// (0 = background). Returns the pixels divided by 255, image after image, each row-major.
    /// </summary>
    private static float[] ReadImages(string path, int expectedCount)
    {
        byte[] bytes = ReadGzip(path);
        const int header = 16;
        if (bytes.Length < header)
        {
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, too short for an IDX image header");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(0));
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        int columns = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        if (magic != 2051)
        {
            throw new InvalidDataException($"{path}: magic number {magic}, expected 2051 (IDX unsigned-byte images)");
        }

        if (count != expectedCount || rows != Rows || columns != Columns)
        {
            throw new InvalidDataException($"{path}: {count} images of {rows}x{columns}, expected {expectedCount} of {Rows}x{Columns}");
        }

        if (bytes.Length != header + ((long)count * Pixels))
        {
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, expected {header + ((long)count * Pixels)}");
        }

        var images = new float[count * Pixels];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = bytes[header + i] / 255f;
        }

        return images;
    }

    /// <summary>Reads an IDX label file: big-endian int32 magic 2049, count, then count bytes 0..9.</summary>
    private static byte[] ReadLabels(string path, int expectedCount)
    {
        byte[] bytes = ReadGzip(path);
        const int header = 8;
        if (bytes.Length < header)
        {
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, too short for an IDX label header");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(0));
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (magic != 2049)
        {
            throw new InvalidDataException($"{path}: magic number {magic}, expected 2049 (IDX unsigned-byte labels)");
        }

        if (count != expectedCount || bytes.Length != header + count)
        {
            throw new InvalidDataException($"{path}: {count} labels in {bytes.Length} bytes, expected {expectedCount} labels in {header + expectedCount} bytes");
        }

        byte[] labels = bytes[header..];
        int bad = Array.FindIndex(labels, label => label >= Classes);
        if (bad >= 0)
        {
            throw new InvalidDataException($"{path}: label {labels[bad]} at index {bad}, expected 0..{Classes - 1}");
        }

        return labels;
    }

    /// <summary>Fisher-Yates shuffle driven by SplitMix64, so the order is the same on every platform and run.</summary>
    private static void Shuffle(int[] items, ref DeterministicRandom random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            // Uniform in 0..i: the high 64 bits of a 64x64-bit product (bias below 2^-47 for these sizes).
            int j = (int)Math.BigMul(random.NextUInt64(), (ulong)(i + 1), out _);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++)
        {
            if (values[k] > values[best])
            {
                best = k;
            }
        }

        return best;
    }

    /// <summary>The fraction of <paramref name="rows"/> whose largest output is the label; counts [label, predicted] into <paramref name="confusion"/>.</summary>
    private static double Accuracy(IClassifier net, float[] images, byte[] labels, int[] rows, Span<float> output, int[] confusion)
    {
        int correct = 0;
        foreach (int row in rows)
        {
            net.Forward(images.AsSpan(row * Pixels, Pixels), output);
            int predicted = ArgMax(output);
            if (predicted == labels[row])
            {
                correct++;
            }

            confusion[(labels[row] * Classes) + predicted]++;
        }

        return (double)correct / rows.Length;
    }
}
