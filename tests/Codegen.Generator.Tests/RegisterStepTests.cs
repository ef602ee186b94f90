using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Intrinsics;
using System.Text;
using Codegen.Generator.Tests.TestHelpers;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Codegen.Generator.Tests;

/// <summary>
/// TrainStep in registers over many small shapes: random layouts of Dense layers (1 to 16 floats or 1 to 8 doubles wide)
/// and activations, with a mean square error or a softmax with cross-entropy, each compiled with a probe that steps one
/// network by TrainStep and another by ZeroGradients, Forward, Backward and Step, and compares their losses and
/// parameters. Every row width and unit count meets each of the emitter's cases: values in one Vector256 or two, rows one
/// or two vectors long, half a vector (two rows a step, or one for an odd count), scalar rows, W's columns for 4 inputs
/// and 8 units, padded lanes; and layouts past 256 weights, which must keep to the arrays' path.
/// </summary>
public sealed class RegisterStepTests
{
    public static TheoryData<int> Seeds => new(Enumerable.Range(0, 32));

    [Theory, MemberData(nameof(Seeds))]
    public void RandomSmallNetworksStepInRegistersAsTheirArraysDo(int seed)
    {
        var random = new Random(seed);
        bool single = seed % 3 != 2;
        bool classifier = seed % 2 == 1;
        int lanes = single ? 8 : 4;
        string t = single ? "float" : "double";
        var layers = new StringBuilder();
        bool columns = single && seed % 4 == 0; // some first layers of 4 inputs and 8 or 16 units, which work on W's columns
        int inputs = columns ? 4 : 1 + random.Next(2 * lanes), width = inputs, weights = 0;
        layers.Append("[Input(").Append(S(inputs)).Append(")]\n");
        int hidden = 1 + random.Next(3);
        string[] activations = single ? new[] { "ReLU", "LeakyReLU(0.2)", "Tanh", "" } : new[] { "ReLU", "LeakyReLU(0.2)", "" };
        for (int k = 0; k < hidden; k++)
        {
            int units = columns && k == 0 ? (seed % 8 == 0 ? 16 : 8) : 1 + random.Next(2 * lanes);
            weights += width * units;
            width = units;
            string activation = activations[random.Next(activations.Length)];
            layers.Append("[Dense(").Append(S(units)).Append(')').Append(activation.Length > 0 ? ", " + activation : string.Empty).Append("]\n");
        }

        int outputs = (classifier ? 2 : 1) + random.Next((2 * lanes) - (classifier ? 1 : 0));
        weights += width * outputs;
        layers.Append("[Dense(").Append(S(outputs)).Append(classifier ? "), Softmax]\n[CrossEntropy]\n" : ")]\n[MeanSquaredError]\n");
        string source = "using System;\nusing Codegen;\n\nnamespace Demo;\n\n[Network" + (single ? string.Empty : "(Precision = Precision.Double)") + "]\n" + layers + "public partial class Net;\n\n" + Probe(t, classifier);

        GeneratorOutput output = GeneratorDriverHelper.Run(source);
        Assert.True(output.CompilationDiagnostics.IsEmpty, layers + GeneratorDriverHelper.Format(output.CompilationDiagnostics.Take(6)));
        // at most 256 weights: TrainStep in registers; more: only the arrays' path, which the probe then compares with itself
        Assert.Equal(weights <= 256, output.Sources["Demo.Net.g.cs"].Contains("Small enough to keep every", StringComparison.Ordinal));

        using var stream = new MemoryStream();
        Assert.True(output.Output.Emit(stream).Success);
        Assembly assembly = Assembly.Load(stream.ToArray());
        double worst = (double)assembly.GetType("Demo.Probe")!.GetMethod("Run")!.Invoke(null, null)!;
        double tolerance = single ? 1e-5 : 1e-12;
        Assert.True(worst <= tolerance, $"{(Vector256.IsHardwareAccelerated ? "registers" : "arrays")}, {t}:\n{layers}largest relative difference {worst}");
    }

    /// <summary>
    /// A class compiled with the network: four steps of TrainStep against ZeroGradients, Forward, Backward and Step
    /// (a classifier alternates labels and one-hot targets); returns the largest difference relative to 1 + |value|.
    /// </summary>
    private static string Probe(string t, bool classifier) => $$"""
        public static class Probe
        {
            public static double Run()
            {
                var fused = new Net();
                var separate = new Net();
                var random = new Random(3);
                double worst = 0;
                for (int step = 0; step < 4; step++)
                {
                    var input = new {{t}}[Net.InputLength];
                    for (int k = 0; k < input.Length; k++) input[k] = ({{t}})((random.NextDouble() * 4) - 2);
                    var target = new {{t}}[Net.OutputLength];
                    int label = random.Next(Net.OutputLength);
                    for (int k = 0; k < target.Length; k++) target[k] = {{(classifier ? "k == label ? 1 : 0" : "(" + t + ")random.NextDouble()")}};
                    {{(classifier ? "bool byLabel = step % 2 == 0;" : string.Empty)}}
                    {{t}} a = {{(classifier ? "byLabel ? fused.TrainStep(input, label, 0.1f) : " : string.Empty)}}fused.TrainStep(input, target, 0.1f);
                    separate.ZeroGradients();
                    separate.Forward(input, new {{t}}[Net.OutputLength]);
                    {{t}} b = {{(classifier ? "byLabel ? separate.Backward(label) : " : string.Empty)}}separate.Backward(target);
                    separate.Step(0.1f);
                    worst = Math.Max(worst, Math.Abs(a - b) / (1 + Math.Abs(b)));
                    for (int k = 0; k < Net.ParameterCount; k++)
                    {
                        worst = Math.Max(worst, Math.Abs(fused.Parameters[k] - separate.Parameters[k]) / (1 + Math.Abs(separate.Parameters[k])));
                    }
                }

                return worst;
            }
        }
        """;

    private static string S(int value) => value.ToString(CultureInfo.InvariantCulture);
}
