using System;
using System.Collections.Generic;
using System.Globalization;

namespace Codegen.Generator.Tests.TestHelpers;

/// <summary>Cultures whose number formatting differs from the invariant one, to prove that output does not depend on the culture.</summary>
internal static class TestCultures
{
    /// <summary>
    /// de-DE (decimal comma) and tr-TR (dotted/dotless i) as the platform provides them, and a synthetic culture with a
    /// decimal comma, a dot as group separator and U+2212 as minus sign, which exists even without ICU.
    /// </summary>
    public static IEnumerable<CultureInfo> All()
    {
        yield return GermanOrSynthetic();
        yield return CultureInfo.GetCultureInfo("tr-TR");
        yield return Synthetic();
    }

    /// <summary>de-DE, or the synthetic culture when the platform's de-DE does not use a decimal comma (invariant globalization).</summary>
    public static CultureInfo GermanOrSynthetic()
    {
        var german = CultureInfo.GetCultureInfo("de-DE");
        return german.NumberFormat.NumberDecimalSeparator == "," ? german : Synthetic();
    }

    public static CultureInfo Synthetic()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        culture.NumberFormat.NegativeSign = "\u2212";
        culture.NumberFormat.PositiveInfinitySymbol = "unendlich";
        culture.NumberFormat.NaNSymbol = "keine Zahl";
        return culture;
    }

    /// <summary>Makes <paramref name="culture"/> the current culture and UI culture until disposed.</summary>
    public static IDisposable Use(CultureInfo culture) => new Scope(culture);

    private sealed class Scope : IDisposable
    {
        private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
        private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

        public Scope(CultureInfo culture)
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
        }

        public void Dispose()
        {
            CultureInfo.CurrentCulture = _culture;
            CultureInfo.CurrentUICulture = _uiCulture;
        }
    }
}
