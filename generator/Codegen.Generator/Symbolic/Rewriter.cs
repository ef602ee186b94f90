namespace Codegen.Generator.Symbolic;

/// <summary>Structural rewriting of expressions.</summary>
internal static class Rewriter
{
    /// <summary>Replaces every occurrence of <paramref name="pattern"/> in <paramref name="e"/> by <paramref name="replacement"/>.</summary>
    public static Expr Substitute(Expr e, Expr pattern, Expr replacement)
    {
        if (e.Equals(pattern))
        {
            return replacement;
        }

        return e switch
        {
            Unary u => u with { Arg = Substitute(u.Arg, pattern, replacement) },
            Binary b => b with { Left = Substitute(b.Left, pattern, replacement), Right = Substitute(b.Right, pattern, replacement) },
            Conditional c => c with
            {
                Left = Substitute(c.Left, pattern, replacement),
                Right = Substitute(c.Right, pattern, replacement),
                WhenTrue = Substitute(c.WhenTrue, pattern, replacement),
                WhenFalse = Substitute(c.WhenFalse, pattern, replacement),
            },
            _ => e,
        };
    }

    /// <summary>Whether <paramref name="e"/> mentions the variable <paramref name="name"/>.</summary>
    public static bool Uses(Expr e, string name) => e switch
    {
        Var v => v.Name == name,
        Unary u => Uses(u.Arg, name),
        Binary b => Uses(b.Left, name) || Uses(b.Right, name),
        Conditional c => Uses(c.Left, name) || Uses(c.Right, name) || Uses(c.WhenTrue, name) || Uses(c.WhenFalse, name),
        _ => false,
    };

    /// <summary>
    /// The backward expression of an elementwise function f(x): g·f′(x), simplified, with every occurrence of f(x)
    /// replaced by the value <c>y</c> that Forward kept (so σ′ becomes y·(1 − y) and tanh′ becomes 1 − y·y).
    /// </summary>
    public static Expr ElementwiseBackward(Expr f)
    {
        Expr derivative = Differentiator.Derive(f, "x");
        Expr full = Simplifier.Simplify(new Var("g") * derivative);
        return Simplifier.Simplify(Substitute(full, f, new Var("y")));
    }
}
