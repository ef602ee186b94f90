using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Codegen.Generator.Diagnostics;
using Codegen.Generator.Helpers;
using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Codegen.Generator.Parsing;

/// <summary>
/// The only code that reads symbols and syntax: turns a [Network] declaration into a <see cref="NetworkSpec"/> and
/// diagnostics, both plain data.
/// </summary>
internal static partial class NetworkParser
{
    /// <summary>The members Codegen adds to a network type; a user member with one of these names is an error.</summary>
    internal static readonly string[] GeneratedMemberNames =
    {
        "InputLength", "OutputLength", "ParameterCount", "DefaultSeed", "Parameters", "Gradients", "Forward",
        "Backward", "ZeroGradients", "Step", "InitializeParameters", "Training", "TrainStep",
    };

    /// <summary>
    /// Whether a user member would clash with a generated one: a public member, a private field, constant or nested type
    /// (_x, _y3, _g3, W1, B1Length, CodegenThrow…), or a private method with the generated one's parameter count.
    /// </summary>
    private static bool IsGeneratedName(ISymbol member)
    {
        string n = member.Name;
        if (GeneratedMemberNames.Contains(n))
        {
            return true;
        }

        if (member is IMethodSymbol method)
        {
            return (n == "BackPropagate" && method.Parameters.Length == 1) || (n == "LossAndGradient" && method.Parameters.Length is 1 or 2);
        }

        return n is "_parameters" or "_gradients" or "_x" or "_hasForward" or "_training" or "_random" or "CodegenThrow" or "CodegenKernels" or "BackPropagate" or "LossAndGradient" or "ForwardLayers"
            || System.Text.RegularExpressions.Regex.IsMatch(n, "^(_[yg][0-9]+|_arg[0-9]+|_mask[0-9]+|[WB][0-9]+(Length)?)$");
    }

    /// <summary>The most elements (parameters, or activations) one generated network may hold.</summary>
    internal const long MaxElements = 1L << 28;

    private enum Kind
    {
        Other,
        Input,
        Dense,
        ReLU,
        LeakyReLU,
        ELU,
        Sigmoid,
        Tanh,
        Softsign,
        Softmax,
        Activation,
        Conv2D,
        ConvTranspose2D,
        MaxPool2D,
        AvgPool2D,
        MaxUnpool2D,
        Flatten,
        Dropout,
        MeanSquaredError,
        CrossEntropy,
        BinaryCrossEntropy,
        Loss,
    }

    private sealed record LayerAttribute(Kind Kind, string Name, AttributeData Data, AttributeSyntax Syntax, int Ordinal);

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        string typeName = context.TargetSymbol.Name;
        try
        {
            return ParseCore(context, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The generator is a guest in its users' builds: an unexpected case becomes a diagnostic, never a crash.
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.UnexpectedError, LocationInfo.From(context.TargetNode), typeName, ex.GetType().Name + ": " + ex.Message);
            return new ParseResult(null, new[] { info }.ToEquatableArray());
        }
    }

    private static ParseResult ParseCore(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        string name = type.Name;
        LocationInfo? typeLocation = LocationInfo.From(declaration.Identifier.GetLocation());
        void Report(DiagnosticDescriptor d, LocationInfo? at, params object[] args) => diagnostics.Add(DiagnosticInfo.Create(d, at ?? typeLocation, args));

        CheckType(type, declaration, typeLocation, Report);
        NumericType numeric = ReadPrecision(context.Attributes, name, Report);

        cancellationToken.ThrowIfCancellationRequested();
        List<LayerAttribute> attributes = ReadLayerAttributes(type, declaration, name, Report, cancellationToken);
        var requests = new List<FunctionRequest>();
        (Shape input, List<LayerSpec> layers, LossSpec? loss) = BuildLayers(attributes, type, requests, typeLocation, Report);
        int maxBatch = ReadMaxBatch(context.Attributes, name, layers, Report);
        if (diagnostics.Count > 0)
        {
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        var spec = new NetworkSpec(HierarchyInfo.From(type), numeric, input, layers.ToEquatableArray(), loss, maxBatch);
        return new ParseResult(spec, EquatableArray<DiagnosticInfo>.Empty, requests.ToEquatableArray());
    }

    private static void CheckType(INamedTypeSymbol type, TypeDeclarationSyntax declaration, LocationInfo? at, Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        string name = type.Name;
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            report(DiagnosticDescriptors.NotPartial, at, new object[] { name, type.TypeKind == TypeKind.Struct ? "struct" : "class" });
        }

        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            bool partial = outer.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial)
            {
                report(DiagnosticDescriptors.ContainingTypeNotPartial, at, new object[] { name, outer.Name });
            }
        }

        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.TypeParameters.Length > 0)
            {
                report(DiagnosticDescriptors.Generic, at, new object[] { name });
                break;
            }
        }

        string? kind = type.TypeKind is not (TypeKind.Class or TypeKind.Struct) ? "an " + type.TypeKind.ToString().ToLowerInvariant()
            : type.IsRecord ? "a record (its 'with' copies and value equality would share the network's buffers: use a class or a struct)"
            : type.IsStatic ? "static"
            : type.IsAbstract ? "abstract"
            : type.IsFileLocal ? "file-local (the generated part, in another file, would declare another type)"
            : null;
        if (kind is not null)
        {
            report(DiagnosticDescriptors.UnsupportedTypeKind, at, new object[] { name, kind });
        }

        if (type.InstanceConstructors.Any(c => c.Parameters.Length == 0 && !c.IsImplicitlyDeclared))
        {
            report(DiagnosticDescriptors.ConstructorConflict, at, new object[] { name });
        }

        if (!type.IsRecord && type.InstanceConstructors.Any(c => c.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax)))
        {
            report(DiagnosticDescriptors.PrimaryConstructor, at, new object[] { name });
        }

        foreach (string member in type.GetMembers().Where(m => !m.IsImplicitlyDeclared && IsGeneratedName(m)).Select(m => m.Name).Distinct())
        {
            report(DiagnosticDescriptors.MemberConflict, at, new object[] { name, member });
        }
    }

    private static NumericType ReadPrecision(IEnumerable<AttributeData> networkAttributes, string name, Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        foreach (AttributeData data in networkAttributes)
        {
            foreach (KeyValuePair<string, TypedConstant> argument in data.NamedArguments)
            {
                if (argument.Key != KnownNames.PrecisionProperty)
                {
                    continue;
                }

                if (argument.Value.Value is int value && value is 0 or 1)
                {
                    return value == 0 ? NumericType.Float : NumericType.Double;
                }

                report(DiagnosticDescriptors.InvalidArgument, LocationInfo.From(data.ApplicationSyntaxReference?.GetSyntax()), new object[]
                {
                    "Network", name, "Precision must be Precision.Float or Precision.Double, not " + argument.Value.ToCSharpString(),
                });
            }
        }

        return NumericType.Float;
    }

    /// <summary>The largest batch of the batched overloads: 1 (none) unless [Network(MaxBatch = n)] says otherwise.</summary>
    private static int ReadMaxBatch(IEnumerable<AttributeData> networkAttributes, string name, List<LayerSpec> layers, Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        const int Largest = 4096;
        foreach (AttributeData data in networkAttributes)
        {
            foreach (KeyValuePair<string, TypedConstant> argument in data.NamedArguments)
            {
                if (argument.Key != KnownNames.MaxBatchProperty)
                {
                    continue;
                }

                LocationInfo? at = LocationInfo.From(data.ApplicationSyntaxReference?.GetSyntax());
                if (argument.Value.Value is not int value || value < 1 || value > Largest)
                {
                    report(DiagnosticDescriptors.InvalidArgument, at, new object[]
                    {
                        "Network", name, "MaxBatch must be from 1 to " + Largest.ToString(CultureInfo.InvariantCulture) + ", not " + argument.Value.ToCSharpString(),
                    });
                    return 1;
                }

                long largestBuffer = layers.Count == 0 ? 0 : layers.Max(l => (long)l.OutputLength);
                if (value * largestBuffer > (1L << 28))
                {
                    report(DiagnosticDescriptors.InvalidArgument, at, new object[]
                    {
                        "Network", name, "MaxBatch = " + value.ToString(CultureInfo.InvariantCulture) + " times the largest layer output (" + largestBuffer.ToString(CultureInfo.InvariantCulture)
                            + " values) is " + (value * largestBuffer).ToString(CultureInfo.InvariantCulture) + " values, more than the 268,435,456 one buffer may hold",
                    });
                    return 1;
                }

                return value;
            }
        }

        return 1;
    }

    /// <summary>The layer attributes of the [Network] declaration in source order; reports those found on other declarations.</summary>
    private static List<LayerAttribute> ReadLayerAttributes(
        INamedTypeSymbol type, TypeDeclarationSyntax declaration, string name, Action<DiagnosticDescriptor, LocationInfo?, object[]> report, CancellationToken cancellationToken)
    {
        var result = new List<LayerAttribute>();
        ImmutableArray<AttributeData> all = type.GetAttributes();
        for (int ordinal = 0; ordinal < all.Length; ordinal++)
        {
            AttributeData data = all[ordinal];
            cancellationToken.ThrowIfCancellationRequested();
            Kind kind = KindOf(data.AttributeClass);
            if (kind == Kind.Other || data.ApplicationSyntaxReference is not { } reference)
            {
                continue;
            }

            var syntax = reference.GetSyntax(cancellationToken) as AttributeSyntax;
            string display = data.AttributeClass!.Name.EndsWith("Attribute", StringComparison.Ordinal)
                ? data.AttributeClass.Name.Substring(0, data.AttributeClass.Name.Length - "Attribute".Length)
                : data.AttributeClass.Name;
            if (syntax is null)
            {
                continue;
            }

            if (reference.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(reference.Span))
            {
                report(DiagnosticDescriptors.AttributesSpread, LocationInfo.From(syntax), new object[] { display, name });
                continue;
            }

            result.Add(new LayerAttribute(kind, display, data, syntax, ordinal));
        }

        result.Sort((a, b) => a.Syntax.SpanStart.CompareTo(b.Syntax.SpanStart));
        return result;
    }

    private static Kind KindOf(INamedTypeSymbol? attributeClass)
    {
        if (attributeClass is null || attributeClass.TypeKind == TypeKind.Error)
        {
            return Kind.Other;
        }

        return attributeClass.ToDisplayString() switch
        {
            KnownNames.InputAttribute => Kind.Input,
            KnownNames.DenseAttribute => Kind.Dense,
            KnownNames.ReLUAttribute => Kind.ReLU,
            KnownNames.LeakyReLUAttribute => Kind.LeakyReLU,
            KnownNames.ELUAttribute => Kind.ELU,
            KnownNames.SigmoidAttribute => Kind.Sigmoid,
            KnownNames.TanhAttribute => Kind.Tanh,
            KnownNames.SoftsignAttribute => Kind.Softsign,
            KnownNames.SoftmaxAttribute => Kind.Softmax,
            KnownNames.MeanSquaredErrorAttribute => Kind.MeanSquaredError,
            KnownNames.CrossEntropyAttribute => Kind.CrossEntropy,
            KnownNames.BinaryCrossEntropyAttribute => Kind.BinaryCrossEntropy,
            KnownNames.ActivationAttribute => Kind.Activation,
            KnownNames.Conv2DAttribute => Kind.Conv2D,
            KnownNames.ConvTranspose2DAttribute => Kind.ConvTranspose2D,
            KnownNames.MaxPool2DAttribute => Kind.MaxPool2D,
            KnownNames.AvgPool2DAttribute => Kind.AvgPool2D,
            KnownNames.MaxUnpool2DAttribute => Kind.MaxUnpool2D,
            KnownNames.FlattenAttribute => Kind.Flatten,
            KnownNames.DropoutAttribute => Kind.Dropout,
            KnownNames.LossAttribute => Kind.Loss,
            _ => Kind.Other,
        };
    }

    private static bool IsLoss(Kind kind) => kind is Kind.MeanSquaredError or Kind.CrossEntropy or Kind.BinaryCrossEntropy or Kind.Loss;

    private static (Shape Input, List<LayerSpec> Layers, LossSpec? Loss) BuildLayers(
        List<LayerAttribute> attributes, INamedTypeSymbol type, List<FunctionRequest> requests, LocationInfo? typeLocation, Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        string name = type.Name;
        var layers = new List<LayerSpec>();
        LossSpec? loss = null;
        LayerAttribute? lossAttribute = null;
        Shape input = Shape.Vector(0);
        Shape shape = input;
        bool inputSeen = false;
        bool shapesKnown = true;

        for (int i = 0; i < attributes.Count; i++)
        {
            LayerAttribute a = attributes[i];
            LocationInfo? at = LocationInfo.From(a.Syntax);
            if (a.Kind == Kind.Input)
            {
                if (i != 0 || inputSeen)
                {
                    report(DiagnosticDescriptors.InputNotFirst, at, new object[] { name, attributes[i - 1].Name });
                    shapesKnown = false;
                    inputSeen = true; // reported once, as misplaced, not again as missing
                    continue;
                }

                inputSeen = true;
                if (ReadInput(a, name, report) is Shape declared)
                {
                    input = shape = declared;
                }
                else
                {
                    shapesKnown = false;
                }

                continue;
            }

            if (lossAttribute is not null)
            {
                if (IsLoss(a.Kind))
                {
                    report(DiagnosticDescriptors.TwoLosses, at, new object[] { name, a.Name, lossAttribute.Name });
                }
                else
                {
                    report(DiagnosticDescriptors.LayerAfterLoss, at, new object[] { a.Name, lossAttribute.Name, name });
                }

                continue;
            }

            LayerSpec? previous = layers.Count > 0 ? layers[layers.Count - 1] : null;
            int layersBefore = layers.Count;
            switch (a.Kind)
            {
                case Kind.Dense:
                    if (shapesKnown && shape.Spatial)
                    {
                        report(DiagnosticDescriptors.NeedsFlatten, at, new object[] { name, shape });
                        shapesKnown = false;
                    }

                    if (ReadInt(a, "units", name, report) is int units && shapesKnown)
                    {
                        layers.Add(new DenseSpec("Dense(" + units + ")", shape.Length, units, InitFor(attributes, i)));
                    }
                    else
                    {
                        shapesKnown = false;
                    }

                    break;
                case Kind.Conv2D or Kind.ConvTranspose2D or Kind.MaxPool2D or Kind.AvgPool2D or Kind.MaxUnpool2D or Kind.Flatten or Kind.Dropout:
                    if (!shapesKnown)
                    {
                        break;
                    }

                    LayerSpec? spatial = SpatialLayer(a, shape, layers, InitFor(attributes, i), name, report);
                    if (spatial is null)
                    {
                        shapesKnown = false;
                    }
                    else
                    {
                        layers.Add(spatial);
                    }

                    break;
                case Kind.ReLU:
                    layers.Add(new ElementwiseSpec("ReLU", shape, Builtins.ReLU));
                    break;
                case Kind.LeakyReLU:
                    double slope = ReadDouble(a, 0.01, "slope", name, report);
                    layers.Add(new ElementwiseSpec("LeakyReLU(" + Printer.Number(slope) + ")", shape, Simplifier.Simplify(Builtins.LeakyReLU(slope))));
                    break;
                case Kind.ELU:
                    double alpha = ReadDouble(a, 1.0, "alpha", name, report);
                    layers.Add(new ElementwiseSpec("ELU(" + Printer.Number(alpha) + ")", shape, Simplifier.Simplify(Builtins.Elu(alpha))));
                    break;
                case Kind.Sigmoid:
                    layers.Add(new ElementwiseSpec("Sigmoid", shape, Builtins.Sigmoid));
                    break;
                case Kind.Tanh:
                    layers.Add(new ElementwiseSpec("Tanh", shape, Builtins.Tanh));
                    break;
                case Kind.Softsign:
                    layers.Add(new ElementwiseSpec("Softsign", shape, Builtins.Softsign));
                    break;
                case Kind.Softmax:
                    layers.Add(new SoftmaxSpec("Softmax", shape));
                    break;
                case Kind.Activation:
                    if (ReadFunction(a, type, FunctionRole.Activation, requests, report) is { } activation)
                    {
                        layers.Add(new ElementwiseSpec("Activation(" + activation.Method + ")", shape, activation.Placeholder));
                    }

                    break;
                case Kind.Loss:
                    lossAttribute = a;
                    if (ReadFunction(a, type, FunctionRole.Loss, requests, report) is { } lossFunction)
                    {
                        loss = new ElementwiseLossSpec("Loss(" + lossFunction.Method + ")", lossFunction.Placeholder);
                    }

                    break;
                case Kind.MeanSquaredError:
                    lossAttribute = a;
                    loss = new ElementwiseLossSpec("MeanSquaredError", Simplifier.Simplify(Builtins.SquaredError));
                    break;
                case Kind.CrossEntropy:
                    lossAttribute = a;
                    loss = new SoftmaxCrossEntropySpec("CrossEntropy");
                    if (previous is not SoftmaxSpec)
                    {
                        report(DiagnosticDescriptors.LossNeedsActivation, at, new object[] { "CrossEntropy", "Softmax", name, previous?.Name ?? "Input", shape });
                    }

                    break;
                case Kind.BinaryCrossEntropy:
                    lossAttribute = a;
                    loss = new SigmoidBinaryCrossEntropySpec("BinaryCrossEntropy");
                    if (previous is not ElementwiseSpec { Name: "Sigmoid" })
                    {
                        report(DiagnosticDescriptors.LossNeedsActivation, at, new object[] { "BinaryCrossEntropy", "Sigmoid", name, previous?.Name ?? "Input", shape });
                    }

                    break;
            }

            if (layers.Count > layersBefore)
            {
                shape = layers[layers.Count - 1].Output;
            }
        }

        if (!inputSeen)
        {
            report(DiagnosticDescriptors.MissingInput, typeLocation, new object[] { name });
        }
        else if (layers.Count == 0 && shapesKnown)
        {
            report(DiagnosticDescriptors.NoLayers, typeLocation, new object[] { name });
        }

        if (inputSeen && shapesKnown)
        {
            CheckSize(input.Length, layers, name, typeLocation, report);
        }

        return (input, layers, loss);
    }

    private static void CheckSize(int inputLength, List<LayerSpec> layers, string name, LocationInfo? at, Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        long parameters = 0, activations = inputLength;
        foreach (LayerSpec layer in layers)
        {
            if (layer is ParametricSpec p)
            {
                long weights = 1;
                foreach (int dimension in p.WeightDimensions)
                {
                    weights *= dimension;
                }

                parameters += weights + p.BiasLength;
            }

            activations += layer.OutputLength;
        }

        if (parameters > MaxElements)
        {
            report(DiagnosticDescriptors.TooLarge, at, new object[] { name, parameters, "parameters", MaxElements });
        }
        else if (activations > MaxElements)
        {
            report(DiagnosticDescriptors.TooLarge, at, new object[] { name, activations, "activation values", MaxElements });
        }
    }

    /// <summary>Reads [Activation(name)] or [Activation(typeof(T), name)] into a request; the spec holds a placeholder for it.</summary>
    private static (string Method, Expr Placeholder)? ReadFunction(
        LayerAttribute a, INamedTypeSymbol network, FunctionRole role, List<FunctionRequest> requests, Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        LocationInfo? at = LocationInfo.From(a.Syntax);
        ImmutableArray<TypedConstant> args = a.Data.ConstructorArguments;
        INamedTypeSymbol? owner = args.Length == 2 ? args[0].Value as INamedTypeSymbol : network;
        string? method = args.Length is 1 or 2 ? args[args.Length - 1].Value as string : null;
        if (a.Data.AttributeConstructor is null || owner is null || string.IsNullOrEmpty(method) || owner.TypeKind == TypeKind.Error)
        {
            report(DiagnosticDescriptors.InvalidArgument, at, new object[]
            {
                a.Name, network.Name, "name a static method, as in [" + a.Name + "(nameof(F))] or [" + a.Name + "(typeof(Functions), nameof(Functions.F))]; got '" + a.Syntax + "'",
            });
            return null;
        }

        requests.Add(new FunctionRequest(role, MetadataName(owner), method!, MetadataName(network), a.Ordinal));
        return (method!, new Pending(requests.Count - 1));
    }

    /// <summary>The name <see cref="Compilation.GetTypeByMetadataName"/> finds a type by: Namespace.Outer+Inner`1.</summary>
    internal static string MetadataName(INamedTypeSymbol type)
    {
        string name = type.MetadataName;
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.MetadataName + "+" + name;
            type = outer;
        }

        return type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + name : name;
    }

    private static int? ReadInt(LayerAttribute a, string parameter, string name, Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        LocationInfo? at = LocationInfo.From(a.Syntax);
        if (a.Data.AttributeConstructor is null || a.Data.ConstructorArguments.Length != 1 || a.Data.ConstructorArguments[0].Value is not int value)
        {
            report(DiagnosticDescriptors.InvalidArgument, at, new object[] { a.Name, name, "'" + parameter + "' must be one integer constant, as in [" + a.Name + "(16)]; got '" + a.Syntax + "'" });
            return null;
        }

        if (value <= 0)
        {
            report(DiagnosticDescriptors.NonPositiveSize, at, new object[] { a.Name, name, parameter, value });
            return null;
        }

        return value;
    }

    private static double ReadDouble(LayerAttribute a, double defaultValue, string parameter, string name, Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        if (a.Data.AttributeConstructor is null)
        {
            report(DiagnosticDescriptors.InvalidArgument, LocationInfo.From(a.Syntax), new object[] { a.Name, name, "'" + parameter + "' must be a numeric constant; got '" + a.Syntax + "'" });
            return defaultValue;
        }

        if (a.Data.ConstructorArguments.Length == 0)
        {
            return defaultValue;
        }

        double value = a.Data.ConstructorArguments[0].Value switch
        {
            double d => d,
            float f => f,
            int n => n,
            _ => double.NaN,
        };
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            report(DiagnosticDescriptors.InvalidArgument, LocationInfo.From(a.Syntax), new object[] { a.Name, name, "'" + parameter + "' must be a finite number; got " + a.Data.ConstructorArguments[0].ToCSharpString() });
            return defaultValue;
        }

        return value;
    }
}
