using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Codegen.Generator.Diagnostics;
using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;
using Microsoft.CodeAnalysis;

namespace Codegen.Generator.Parsing;

// Parsing of the input shape and of the layers that work on C×H×W images: every output shape is computed here, at
// compile time, and every impossible one is a diagnostic that shows the arithmetic.
internal static partial class NetworkParser
{
    /// <summary>He initialization when the next attribute is ReLU, LeakyReLU or ELU; Glorot otherwise.</summary>
    private static InitKind InitFor(List<LayerAttribute> attributes, int i)
    {
        Kind next = i + 1 < attributes.Count ? attributes[i + 1].Kind : Kind.Other;
        return next is Kind.ReLU or Kind.LeakyReLU or Kind.ELU ? InitKind.He : InitKind.Glorot;
    }

    /// <summary>[Input(n)] or [Input(channels, height, width)].</summary>
    private static Shape? ReadInput(LayerAttribute a, string name, Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        if (a.Data.AttributeConstructor is not null && a.Data.ConstructorArguments.Length == 3)
        {
            string[] names = { "channels", "height", "width" };
            int[] values = new int[3];
            for (int k = 0; k < 3; k++)
            {
                if (a.Data.ConstructorArguments[k].Value is not int v || v <= 0)
                {
                    report(DiagnosticDescriptors.NonPositiveSize, LocationInfo.From(a.Syntax), new object[] { a.Name, name, names[k], a.Data.ConstructorArguments[k].Value ?? "?" });
                    return null;
                }

                values[k] = v;
            }

            return Shape.Image(values[0], values[1], values[2]);
        }

        return ReadInt(a, "length", name, report) is int n ? Shape.Vector(n) : null;
    }

    private static int? Named(LayerAttribute a, string property) =>
        a.Data.NamedArguments.Where(p => p.Key == property).Select(p => p.Value.Value as int?).FirstOrDefault();

    private static string S(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A layer that needs a C×H×W input (or, for Flatten and Dropout, takes any), with its output shape.</summary>
    private static LayerSpec? SpatialLayer(
        LayerAttribute a, Shape shape, List<LayerSpec> layers, InitKind init, string name, Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        LocationInfo? at = LocationInfo.From(a.Syntax);
        bool Fail(string message)
        {
            report(DiagnosticDescriptors.ShapeArithmetic, at, new object[] { a.Name, name, message });
            return false;
        }

        if (a.Kind == Kind.Dropout)
        {
            double rate = ReadDouble(a, 0.5, "rate", name, report);
            if (rate < 0 || rate >= 1)
            {
                report(DiagnosticDescriptors.InvalidArgument, at, new object[] { a.Name, name, "the rate must be at least 0 and less than 1; got " + Printer.Number(rate) });
                return null;
            }

            return new DropoutSpec("Dropout(" + Printer.Number(rate) + ")", shape, rate);
        }

        if (!shape.Spatial)
        {
            report(DiagnosticDescriptors.NeedsImage, at, new object[] { a.Name, name, shape });
            return null;
        }

        if (a.Kind == Kind.Flatten)
        {
            return new FlattenSpec("Flatten", shape);
        }

        if (a.Kind == Kind.MaxUnpool2D)
        {
            // The nearest preceding max pooling not already undone by another unpooling.
            int undone = 0;
            for (int k = layers.Count - 1; k >= 0; k--)
            {
                if (layers[k] is MaxUnpool2DSpec)
                {
                    undone++;
                }
                else if (layers[k] is Pool2DSpec { Kind: PoolKind.Max } pool && undone-- == 0)
                {
                    if (!pool.Output.Equals(shape))
                    {
                        report(DiagnosticDescriptors.UnpoolMismatch, at, new object[] { name, "receives " + shape + ", but the [MaxPool2D] of layer " + S(k + 1) + " it undoes produced " + pool.Output + ": the layers between them must keep the shape" });
                        return null;
                    }

                    return new MaxUnpool2DSpec("MaxUnpool2D", shape, pool.Input, k + 1);
                }
            }

            report(DiagnosticDescriptors.UnpoolMismatch, at, new object[] { name, "has no [MaxPool2D] before it to undo: add one, or remove [MaxUnpool2D]" });
            return null;
        }

        // Constructor arguments: (filters, kernelSize) for convolutions, (size) for pooling.
        int[] args = a.Data.ConstructorArguments.Select(c => c.Value as int? ?? int.MinValue).ToArray();
        bool convolution = a.Kind is Kind.Conv2D or Kind.ConvTranspose2D;
        if (a.Data.AttributeConstructor is null || args.Length != (convolution ? 2 : 1) || args.Contains(int.MinValue))
        {
            report(DiagnosticDescriptors.InvalidArgument, at, new object[] { a.Name, name, "expected integer constants, as in " + (convolution ? "[" + a.Name + "(32, 5)]" : "[" + a.Name + "(2)]") + "; got '" + a.Syntax + "'" });
            return null;
        }

        int kernel = convolution ? args[1] : args[0];
        int kh = Named(a, "KernelHeight") is int h && h != 0 ? h : kernel;
        int kw = Named(a, "KernelWidth") is int w && w != 0 ? w : kernel;
        int stride = Named(a, "Stride") is int st && st != 0 ? st : (convolution ? 1 : kernel);
        int padding = Named(a, "Padding") ?? 0;
        foreach ((string what, int value) in new[] { (convolution ? "filters" : "size", args[0]), ("kernel height", kh), ("kernel width", kw), ("Stride", stride) })
        {
            if (value <= 0)
            {
                report(DiagnosticDescriptors.NonPositiveSize, at, new object[] { a.Name, name, what, value });
                return null;
            }
        }

        if (padding < 0)
        {
            report(DiagnosticDescriptors.InvalidArgument, at, new object[] { a.Name, name, "Padding must be 0 or more; got " + S(padding) });
            return null;
        }

        string kernelText = S(kh) + "×" + S(kw);
        if (a.Kind == Kind.ConvTranspose2D)
        {
            // Output (H − 1)·S − 2P + K.
            int oh = ((shape.Height - 1) * stride) - (2 * padding) + kh;
            int ow = ((shape.Width - 1) * stride) - (2 * padding) + kw;
            if (oh <= 0 || ow <= 0)
            {
                Fail("the output would be (" + S(shape.Height) + " − 1)·" + S(stride) + " − 2·" + S(padding) + " + " + S(kh) + " = " + S(oh) + " high and (" + S(shape.Width) + " − 1)·" + S(stride) + " − 2·" + S(padding) + " + " + S(kw) + " = " + S(ow) + " wide; it must be at least 1×1: reduce Padding");
                return null;
            }

            return new ConvTranspose2DSpec(Describe(a.Name, args[0], kernelText, stride, padding), shape, Shape.Image(args[0], oh, ow), kh, kw, stride, padding, init);
        }

        int? Out(int input, int k, string dimension)
        {
            int padded = input + (2 * padding);
            string arithmetic = "(" + S(input) + (padding > 0 ? " + 2·" + S(padding) : string.Empty) + " − " + S(k) + ")/" + S(stride) + " + 1";
            if (k > padded)
            {
                Fail("the kernel is " + S(k) + " " + dimension + ", more than the " + S(padded) + " of the " + (padding > 0 ? "padded " : string.Empty) + "input (" + shape + "): use a smaller kernel or more Padding");
                return null;
            }

            if ((padded - k) % stride != 0)
            {
                Fail("the output " + dimension + " " + arithmetic + " = " + (((padded - k) / (double)stride) + 1).ToString("0.###", CultureInfo.InvariantCulture)
                    + " is not a whole number: choose Stride, Padding or the kernel so that " + S(input) + (padding > 0 ? " + 2·" + S(padding) : string.Empty) + " − " + S(k) + " is a multiple of " + S(stride));
                return null;
            }

            return ((padded - k) / stride) + 1;
        }

        if (a.Kind is Kind.MaxPool2D or Kind.AvgPool2D)
        {
            if (Out(shape.Height, kernel, "height") is not int ph || Out(shape.Width, kernel, "width") is not int pw)
            {
                return null;
            }

            string pooled = a.Name + "(" + S(kernel) + (stride != kernel ? ", Stride = " + S(stride) : string.Empty) + ")";
            return new Pool2DSpec(pooled, shape, Shape.Image(shape.Channels, ph, pw), a.Kind == Kind.MaxPool2D ? PoolKind.Max : PoolKind.Average, kernel, stride);
        }

        if (Out(shape.Height, kh, "height") is not int ch || Out(shape.Width, kw, "width") is not int cw)
        {
            return null;
        }

        return new Conv2DSpec(Describe(a.Name, args[0], kernelText, stride, padding), shape, Shape.Image(args[0], ch, cw), kh, kw, stride, padding, init);
    }

    /// <summary>A convolution as the remarks name it, e.g. <c>Conv2D(32, 5×5, Padding = 2)</c>; stride 1 and padding 0 are left out.</summary>
    private static string Describe(string attribute, int filters, string kernel, int stride, int padding) =>
        attribute + "(" + S(filters) + ", " + kernel + (stride != 1 ? ", Stride = " + S(stride) : string.Empty) + (padding != 0 ? ", Padding = " + S(padding) : string.Empty) + ")";
}
