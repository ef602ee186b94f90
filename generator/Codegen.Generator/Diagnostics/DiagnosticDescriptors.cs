using Microsoft.CodeAnalysis;

namespace Codegen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports, IDs in one series. To add one: take the next ID, add a row to
/// AnalyzerReleases.Unshipped.md and an entry to docs/diagnostics.md, and a test that asserts it.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Codegen";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "CG0001",
        "Network type must be partial",
        "[Network] type '{0}' must be declared partial so that Codegen can add its generated members: write 'partial {1} {0}'");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
        "CG0002",
        "Type containing a network must be partial",
        "[Network] type '{0}' is nested in '{1}', which must be declared partial too: add the 'partial' modifier to '{1}'");

    public static readonly DiagnosticDescriptor Generic = Error(
        "CG0003",
        "Network type must not be generic",
        "[Network] type '{0}' is generic, or nested in a generic type; a network's shapes and numeric type are fixed at compile time: remove the type parameters");

    public static readonly DiagnosticDescriptor UnsupportedTypeKind = Error(
        "CG0004",
        "Network type must be an instantiable class or struct",
        "[Network] type '{0}' is {1}; a network must be a non-static, non-abstract, non-file-local partial class or struct");

    public static readonly DiagnosticDescriptor MissingInput = Error(
        "CG0005",
        "Network has no [Input]",
        "[Network] type '{0}' has no [Input] attribute: declare the number of input features first, for example [Input(4)]");

    public static readonly DiagnosticDescriptor InputNotFirst = Error(
        "CG0006",
        "[Input] must be the first layer attribute, once",
        "[Input] must be the first layer attribute of '{0}', and appear once; here it comes after [{1}]: move it before every other layer attribute");

    public static readonly DiagnosticDescriptor NonPositiveSize = Error(
        "CG0007",
        "Layer size must be positive",
        "[{0}] of '{1}' has {2} = {3}; it must be at least 1");

    public static readonly DiagnosticDescriptor LayerAfterLoss = Error(
        "CG0008",
        "Loss must be the last attribute",
        "[{0}] comes after the loss [{1}] in '{2}'; the loss must be the last attribute: move [{1}] to the end");

    public static readonly DiagnosticDescriptor TwoLosses = Error(
        "CG0009",
        "Network has more than one loss",
        "'{0}' declares a second loss [{1}] after [{2}]; a network has at most one loss: keep one");

    public static readonly DiagnosticDescriptor LossNeedsActivation = Error(
        "CG0010",
        "Loss must follow its activation directly",
        "[{0}] must come directly after [{1}] (the pair is differentiated as one fused step); in '{2}' it follows [{3}] with {4} outputs: insert [{1}] before [{0}]");

    public static readonly DiagnosticDescriptor AttributesSpread = Error(
        "CG0011",
        "Layer attributes spread over several declarations",
        "Layer attribute [{0}] of '{1}' is on another partial declaration than [Network]; the order of layers is only defined within one declaration: move every layer attribute next to [Network]");

    public static readonly DiagnosticDescriptor InvalidArgument = Error(
        "CG0012",
        "Invalid attribute argument",
        "[{0}] of '{1}': {2}");

    public static readonly DiagnosticDescriptor NoLayers = Error(
        "CG0013",
        "Network has no layers",
        "[Network] type '{0}' has an [Input] but no layer after it: add at least one layer, for example [Dense(1)]");

    public static readonly DiagnosticDescriptor TooLarge = Error(
        "CG0014",
        "Network is too large",
        "'{0}' needs {1} {2}, more than the {3} a single generated network supports: make the layers smaller");

    public static readonly DiagnosticDescriptor ConstructorConflict = Error(
        "CG0015",
        "Network declares its own parameterless constructor",
        "'{0}' declares a parameterless constructor, but Codegen generates one that allocates the buffers and initializes the parameters: remove it, or call InitializeParameters from another constructor");

    public static readonly DiagnosticDescriptor MemberConflict = Error(
        "CG0016",
        "Network declares a member that Codegen generates",
        "'{0}' declares a member named '{1}', which Codegen generates for a network (public: InputLength, OutputLength, ParameterCount, DefaultSeed, Parameters, Gradients, Forward, Backward, TrainStep, ZeroGradients, Step, InitializeParameters, Training; private: _parameters, _gradients, _x, _yN, _gN, _argN, _maskN, _hasForward, _training, _random, WN, BN, ForwardLayers, LossAndGradient, BackPropagate, CodegenThrow, CodegenKernels): rename it");

    public static readonly DiagnosticDescriptor FunctionNotFound = Error(
        "CG0017",
        "Function not found",
        "[{0}] of '{1}' names '{2}', but '{3}' has no static method of that name: declare 'static {4}' on '{3}', or name an existing method with nameof");

    public static readonly DiagnosticDescriptor FunctionSignature = Error(
        "CG0018",
        "Function signature does not fit",
        "[{0}] of '{1}' needs a method 'static {2}', but '{3}' is '{4}': change its signature to match (the network computes in {5})");

    public static readonly DiagnosticDescriptor UnsupportedInFunction = Error(
        "CG0019",
        "Not differentiable by Codegen",
        "'{0}' in '{1}' (used by [{2}] of '{3}'): {4}. A differentiable function is an expression body or a block of single-assignment locals and one return, built from its parameters, numeric literals and constants, + - * /, unary minus, c ? a : b with a comparison, Math/MathF functions and calls to other such methods; see docs/derivatives.md");

    public static readonly DiagnosticDescriptor FunctionWithoutSource = Error(
        "CG0020",
        "Function has no source",
        "[{0}] of '{1}' names '{2}', which is compiled in another assembly; Codegen differentiates source code: declare the method in this project");

    public static readonly DiagnosticDescriptor PrimaryConstructor = Error(
        "CG0021",
        "Network has a primary constructor",
        "'{0}' has a primary constructor, but Codegen generates the parameterless constructor that allocates the buffers, and it could not call yours: remove the parameter list and declare an ordinary constructor that calls this()");

    public static readonly DiagnosticDescriptor ShapeArithmetic = Error(
        "CG0022",
        "Layer output shape is impossible",
        "[{0}] of '{1}': {2}");

    public static readonly DiagnosticDescriptor NeedsImage = Error(
        "CG0023",
        "Layer needs a C×H×W input",
        "[{0}] of '{1}' works on C×H×W images, but it receives a vector of {2}: declare the input as [Input(channels, height, width)], and keep [Flatten] after the image layers");

    public static readonly DiagnosticDescriptor NeedsFlatten = Error(
        "CG0024",
        "Dense layer after an image",
        "[Dense] of '{0}' receives a {1} image; a Dense layer takes a vector: add [Flatten] before it");

    public static readonly DiagnosticDescriptor UnpoolMismatch = Error(
        "CG0025",
        "MaxUnpool2D has no matching MaxPool2D",
        "[MaxUnpool2D] of '{0}' {1}");

    public static readonly DiagnosticDescriptor UnexpectedError = Error(
        "CG0099",
        "Codegen generator failed",
        "Codegen could not generate '{0}' because of an unexpected error: {1}. Please report this with the declaration that caused it.");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
