using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Codegen.Generator.Emit;

/// <summary>
/// An index expression c + Σ aᵢ·vᵢ over loop variables, printed with constants folded, so the same emitter code writes
/// <c>w[j * 4 + 1]</c> inside a loop and <c>w[13]</c> when the loop is unrolled.
/// </summary>
internal sealed class Ix
{
    private readonly int _constant;
    private readonly (string Name, int Coefficient)[] _terms;

    private Ix(int constant, (string, int)[] terms)
    {
        _constant = constant;
        _terms = terms;
    }

    public static Ix Const(int value) => new(value, System.Array.Empty<(string, int)>());

    public static Ix Var(string name) => new(0, new[] { (name, 1) });

    public static implicit operator Ix(int value) => Const(value);

    public static Ix operator +(Ix a, Ix b)
    {
        var terms = new List<(string Name, int Coefficient)>(a._terms);
        foreach ((string name, int c) in b._terms)
        {
            int at = terms.FindIndex(t => t.Name == name);
            if (at >= 0)
            {
                terms[at] = (name, terms[at].Coefficient + c);
            }
            else
            {
                terms.Add((name, c));
            }
        }

        return new Ix(a._constant + b._constant, terms.Where(t => t.Coefficient != 0).ToArray());
    }

    public static Ix operator *(Ix a, int k) => new(a._constant * k, a._terms.Select(t => (t.Name, t.Coefficient * k)).Where(t => t.Item2 != 0).ToArray());

    public override string ToString()
    {
        var parts = _terms.Select(t => t.Coefficient == 1 ? t.Name : t.Name + " * " + t.Coefficient.ToString(CultureInfo.InvariantCulture)).ToList();
        if (_constant != 0 || parts.Count == 0)
        {
            parts.Add(_constant.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(" + ", parts);
    }
}
