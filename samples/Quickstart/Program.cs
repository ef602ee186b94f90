// Quickstart: trains a dense network, generated at compile time by Codegen, on the 8x8 handwritten digits.
// Run from the repository root: dotnet run --project samples/Quickstart
// Options: --data PATH, --epochs N, --seed N, --batch-size N, --learning-rate X (see Usage below).

using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using Codegen;

namespace Quickstart;

/// <summary>
/// 64 inputs (the 8x8 image, pixels scaled to [0, 1]), one hidden layer of 32 ReLU units, 10 softmax outputs,
/// cross-entropy loss. Codegen writes Forward, Backward, Step, Parameters and Gradients from these attributes.
/// </summary>
[Network]
[Input(64)]
[Dense(32), ReLU]
[Dense(10), Softmax]
[CrossEntropy]
public partial class DigitsNet;

internal static class Program
{
    private const int Pixels = 64;          // 8x8 image, row-major
    private const int Classes = 10;         // digits 0..9
    private const int ExpectedRows = 1797;  // the file this sample ships with
    private const int TrainCount = 1347;    // the first 1,347 shuffled rows train, the other 450 test
    private const ulong SplitSeed = 1998;   // fixed: the split never depends on --seed

    private const string Usage =
        "Usage: Quickstart [--data PATH] [--epochs N] [--seed N] [--batch-size N] [--learning-rate X]\n" +
        "  --data PATH          digits CSV, gzip (default: data/digits.csv.gz next to the executable)\n" +
        "  --epochs N           passes over the training set (default 20)\n" +
        "  --seed N             seeds the initial parameters and the per-epoch shuffle (default 42)\n" +
        "  --batch-size N       samples per SGD step (default 16)\n" +
        "  --learning-rate X    SGD step size: each step moves by X / batch size times the summed gradient (default 0.5)";

    public static int Main(string[] args)
    {
        var total = Stopwatch.StartNew();

        string dataPath = Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");
        int epochs = 20;
        ulong seed = 42;
        int batchSize = 16;
        float learningRate = 0.5f;

        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i];
            if (option is "-h" or "--help")
            {
                Console.WriteLine(Usage);
                return 0;
            }

            if (option is not ("--data" or "--epochs" or "--seed" or "--batch-size" or "--learning-rate"))
            {
                return UsageError($"unknown option '{option}'");
            }

            if (i + 1 >= args.Length)
            {
                return UsageError($"missing value after {option}");
            }

            string value = args[++i];
            bool ok = option switch
            {
                "--data" => Assign(value, out dataPath),
                "--epochs" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out epochs) && epochs > 0,
                "--seed" => ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out seed),
                "--batch-size" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out batchSize) && batchSize > 0,
                "--learning-rate" => float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out learningRate)
                    && float.IsFinite(learningRate) && learningRate > 0f,
                _ => false,
            };
            if (!ok)
            {
                return UsageError($"invalid value for {option}: '{value}'");
            }
        }

        if (!File.Exists(dataPath))
        {
            Console.Error.WriteLine($"error: data file not found: {dataPath}");
            Console.Error.WriteLine("Pass its location with --data PATH (the repository has it at samples/data/digits.csv.gz).");
            return 1;
        }

        float[] images;
        byte[] labels;
        try
        {
            (images, labels) = LoadDigits(dataPath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot read {dataPath} as the gzip-compressed digits CSV: {e.Message}");
            return 1;
        }

        int rows = labels.Length;
        if (rows != ExpectedRows)
        {
            Console.Error.WriteLine($"error: {dataPath} has {rows} rows, expected {ExpectedRows} (the documented split needs the original file).");
            return 1;
        }

        // The split: shuffle the row indices with a fixed seed, the first 1,347 train, the remaining 450 test.
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            order[i] = i;
        }

        var splitRandom = new DeterministicRandom(SplitSeed);
        Shuffle(order, ref splitRandom);
        int[] train = order[..TrainCount];
        int[] test = order[TrainCount..];

        var net = new DigitsNet();
        net.InitializeParameters(seed);
        var shuffleRandom = new DeterministicRandom(seed ^ 0x5DEECE66DUL);

        Console.WriteLine($"Digits: {rows} images of 8x8 pixels from {dataPath}");
        Console.WriteLine($"Split (fixed, seed {SplitSeed}): {train.Length} train, {test.Length} test");
        Console.WriteLine($"Network: 64 -> Dense(32), ReLU -> Dense(10), Softmax; cross-entropy; {DigitsNet.ParameterCount} parameters");
        Console.WriteLine($"Training: {epochs} epochs, mini-batch SGD, batch {batchSize}, learning rate {learningRate.ToString(CultureInfo.InvariantCulture)}, seed {seed}");
        Console.WriteLine();
        Console.WriteLine("epoch  train loss  train acc  test acc  time (s)");

        // The training loop allocates nothing: one output buffer on the stack, the network's own buffers, index arrays.
        Span<float> output = stackalloc float[DigitsNet.OutputLength];
        float scaledRate = learningRate / batchSize; // Step(η / B) on the summed gradient of B samples = η × their mean
        double testAccuracy = 0;
        var training = Stopwatch.StartNew();

        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            Shuffle(train, ref shuffleRandom);
            double lossSum = 0;
            int inBatch = 0;
            for (int n = 0; n < train.Length; n++)
            {
                int row = train[n];
                net.Forward(images.AsSpan(row * Pixels, Pixels), output);
                lossSum += net.Backward(labels[row]);
                if (++inBatch == batchSize)
                {
                    net.Step(scaledRate);
                    inBatch = 0;
                }
            }

            if (inBatch > 0)
            {
                net.Step(scaledRate); // the last, shorter batch (1,347 = 84 × 16 + 3 by default): the same weight per sample as the others
            }

            double trainAccuracy = Accuracy(net, images, labels, train, output);
            testAccuracy = Accuracy(net, images, labels, test, output);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{epoch,5}  {lossSum / train.Length,10:F4}  {trainAccuracy,9:F4}  {testAccuracy,8:F4}  {training.Elapsed.TotalSeconds,8:F2}"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Final test accuracy: {testAccuracy:F4} ({Math.Round(testAccuracy * test.Length)}/{test.Length})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training time: {training.Elapsed.TotalSeconds:F2} s; total time: {total.Elapsed.TotalSeconds:F2} s"));
        return 0;
    }

    private static bool Assign(string value, out string target)
    {
        target = value;
        return value.Length > 0;
    }

    private static int UsageError(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine(Usage);
        return 2;
    }

    /// <summary>Reads the gzip CSV: per line 64 integers 0..16 (the image, row-major) then the label 0..9.</summary>
    private static (float[] Images, byte[] Labels) LoadDigits(string path)
    {
        var images = new float[ExpectedRows * Pixels];
        var labels = new byte[ExpectedRows];
        int rows = 0;

        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            if (fields.Length != Pixels + 1)
            {
                throw new InvalidDataException($"line {lineNumber}: {fields.Length} fields, expected {Pixels + 1}");
            }

            if (rows == labels.Length)
            {
                Array.Resize(ref labels, rows * 2);
                Array.Resize(ref images, rows * 2 * Pixels);
            }

            for (int k = 0; k < Pixels; k++)
            {
                images[(rows * Pixels) + k] = ParseInt(fields[k], 16, lineNumber) / 16f;
            }

            labels[rows] = (byte)ParseInt(fields[Pixels], Classes - 1, lineNumber);
            rows++;
        }

        return (images[..(rows * Pixels)], labels[..rows]);
    }

    private static int ParseInt(string field, int max, int lineNumber)
    {
        if (!int.TryParse(field.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value > max)
        {
            throw new InvalidDataException($"line {lineNumber}: '{field}' is not an integer from 0 to {max}");
        }

        return value;
    }

    /// <summary>Fisher-Yates shuffle driven by SplitMix64, so the order is the same on every platform and run.</summary>
    private static void Shuffle(int[] items, ref DeterministicRandom random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            // Uniform in 0..i: the high 64 bits of a 64x64-bit product (bias below 2^-53 for these sizes).
            int j = (int)Math.BigMul(random.NextUInt64(), (ulong)(i + 1), out _);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The fraction of <paramref name="rows"/> whose largest output is the label.</summary>
    private static double Accuracy(DigitsNet net, float[] images, byte[] labels, int[] rows, Span<float> output)
    {
        int correct = 0;
        foreach (int row in rows)
        {
            net.Forward(images.AsSpan(row * Pixels, Pixels), output);
            int best = 0;
            for (int k = 1; k < output.Length; k++)
            {
                if (output[k] > output[best])
                {
                    best = k;
                }
            }

            if (best == labels[row])
            {
                correct++;
            }
        }

        return (double)correct / rows.Length;
    }
}
