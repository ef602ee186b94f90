using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace Codegen.Generator.Tests;

/// <summary>
/// The generator never loads the runtime assembly; it finds attributes by the metadata names in <see cref="KnownNames"/>.
/// These tests hold those names to the runtime types, in both directions.
/// </summary>
public sealed class KnownNamesTests
{
    private static readonly Assembly Runtime = typeof(NetworkAttribute).Assembly;

    private static (string Field, string Value)[] AttributeConstants() =>
        typeof(KnownNames).GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Attribute", StringComparison.Ordinal))
            .Select(f => (f.Name, (string)f.GetRawConstantValue()!))
            .ToArray();

    [Fact]
    public void EveryAttributeNameIsTheFullNameOfARuntimeAttribute()
    {
        (string Field, string Value)[] constants = AttributeConstants();
        Assert.NotEmpty(constants);
        Assert.All(constants, c =>
        {
            Type? type = Runtime.GetType(c.Value, throwOnError: false);
            Assert.True(type is not null, $"KnownNames.{c.Field} = \"{c.Value}\" names no type in {Runtime.GetName().Name}.");
            Assert.Equal(type!.FullName, c.Value);
            Assert.True(typeof(Attribute).IsAssignableFrom(type), $"{type.FullName} is not an attribute.");
            Assert.Equal(c.Field, type.Name);
        });
    }

    [Fact]
    public void EveryRuntimeAttributeHasAName()
    {
        // A new attribute in src/Codegen that the generator does not know would be silently ignored.
        string[] known = AttributeConstants().Select(c => c.Value).ToArray();
        Type[] attributes = Runtime.GetExportedTypes().Where(t => typeof(Attribute).IsAssignableFrom(t)).ToArray();
        Assert.NotEmpty(attributes);
        Assert.All(attributes, t => Assert.Contains(t.FullName!, known));
    }

    [Fact]
    public void ExpectedAttributesAreKnown()
    {
        Assert.Equal(KnownNames.NetworkAttribute, typeof(NetworkAttribute).FullName);
        Assert.Equal(KnownNames.InputAttribute, typeof(InputAttribute).FullName);
        Assert.Equal(KnownNames.DenseAttribute, typeof(DenseAttribute).FullName);
        Assert.Equal(KnownNames.CrossEntropyAttribute, typeof(CrossEntropyAttribute).FullName);
    }

    [Fact]
    public void OtherNamesMatchTheRuntime()
    {
        Assert.Equal(nameof(NetworkAttribute.Precision), KnownNames.PrecisionProperty);
        Assert.NotNull(typeof(NetworkAttribute).GetProperty(KnownNames.PrecisionProperty));
        Assert.Equal(nameof(NetworkAttribute.MaxBatch), KnownNames.MaxBatchProperty);
        Assert.Equal(typeof(int), typeof(NetworkAttribute).GetProperty(KnownNames.MaxBatchProperty)!.PropertyType);
        Assert.Equal(KnownNames.DeterministicRandom, "global::" + typeof(DeterministicRandom).FullName);

        // The parser reads Precision as an int; the runtime enum must keep these values.
        Assert.Equal(0, (int)Precision.Float);
        Assert.Equal(1, (int)Precision.Double);
        Assert.Equal(2, Enum.GetValues<Precision>().Length);
    }
}
