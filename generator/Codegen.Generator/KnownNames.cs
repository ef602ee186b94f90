namespace Codegen.Generator;

/// <summary>
/// Metadata names of the runtime library's attributes. The generator never loads the runtime assembly; a test asserts
/// that each constant equals <c>typeof(...).FullName</c> of the attribute it names.
/// </summary>
internal static class KnownNames
{
    public const string NetworkAttribute = "Codegen.NetworkAttribute";
    public const string LayerAttribute = "Codegen.LayerAttribute";
    public const string InputAttribute = "Codegen.InputAttribute";
    public const string DenseAttribute = "Codegen.DenseAttribute";
    public const string ReLUAttribute = "Codegen.ReLUAttribute";
    public const string LeakyReLUAttribute = "Codegen.LeakyReLUAttribute";
    public const string ELUAttribute = "Codegen.ELUAttribute";
    public const string SigmoidAttribute = "Codegen.SigmoidAttribute";
    public const string TanhAttribute = "Codegen.TanhAttribute";
    public const string SoftsignAttribute = "Codegen.SoftsignAttribute";
    public const string SoftmaxAttribute = "Codegen.SoftmaxAttribute";
    public const string MeanSquaredErrorAttribute = "Codegen.MeanSquaredErrorAttribute";
    public const string CrossEntropyAttribute = "Codegen.CrossEntropyAttribute";
    public const string BinaryCrossEntropyAttribute = "Codegen.BinaryCrossEntropyAttribute";
    public const string ConvolutionAttribute = "Codegen.ConvolutionAttribute";
    public const string Conv2DAttribute = "Codegen.Conv2DAttribute";
    public const string ConvTranspose2DAttribute = "Codegen.ConvTranspose2DAttribute";
    public const string MaxPool2DAttribute = "Codegen.MaxPool2DAttribute";
    public const string AvgPool2DAttribute = "Codegen.AvgPool2DAttribute";
    public const string MaxUnpool2DAttribute = "Codegen.MaxUnpool2DAttribute";
    public const string FlattenAttribute = "Codegen.FlattenAttribute";
    public const string DropoutAttribute = "Codegen.DropoutAttribute";
    public const string ActivationAttribute = "Codegen.ActivationAttribute";
    public const string LossAttribute = "Codegen.LossAttribute";

    /// <summary>The <c>Precision</c> named argument of <c>[Network]</c>.</summary>
    public const string PrecisionProperty = "Precision";

    public const string MaxBatchProperty = "MaxBatch";

    /// <summary>The runtime PRNG the generated constructor uses.</summary>
    public const string DeterministicRandom = "global::Codegen.DeterministicRandom";
}
