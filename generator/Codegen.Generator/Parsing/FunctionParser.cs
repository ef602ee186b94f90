using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Codegen.Generator.Diagnostics;
using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Codegen.Generator.Parsing;

/// <summary>
/// Turns the body of a user-written activation or loss into an <see cref="Expr"/>. Anything outside the supported
/// set becomes a diagnostic at the exact sub-expression; nothing here throws for bad input.
/// </summary>
internal sealed class FunctionParser
{
    /// <summary>The Math/MathF (and float/double) functions a body may call, with their arity.</summary>
    private static readonly Dictionary<string, int> MathFunctions = new()
    {
        ["Exp"] = 1, ["Log"] = 1, ["Log2"] = 1, ["Log10"] = 1, ["Sqrt"] = 1, ["Cbrt"] = 1, ["Pow"] = 2, ["Abs"] = 1, ["Sign"] = 1,
        ["Tanh"] = 1, ["Sinh"] = 1, ["Cosh"] = 1, ["Sin"] = 1, ["Cos"] = 1, ["Atan"] = 1, ["Max"] = 2, ["Min"] = 2, ["Clamp"] = 3,
    };

    private const int MaxInliningDepth = 16;

    private readonly Compilation _compilation;
    private readonly FunctionRequest _request;
    private readonly string _networkName;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private readonly Stack<IMethodSymbol> _inlining = new();
    private readonly LocationInfo? _attributeLocation;
    private readonly NumericType _numeric;

    /// <summary>
    /// A constant as the network will use it: in a float network, rounded to float and read back from its shortest
    /// text, so 0.9f shows as 0.9 in the generated remarks rather than as 0.8999999761581421.
    /// </summary>
    private double Constant(double value)
    {
        if (_numeric != NumericType.Float || double.IsNaN(value) || double.IsInfinity(value))
        {
            return value;
        }

        string text = Printer.Literal(value, NumericType.Float);
        return double.Parse(text.Substring(0, text.Length - 1), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Where the [Activation] or [Loss] attribute of a request is written, found again from the compilation.</summary>
    private static LocationInfo? AttributeLocation(Compilation compilation, FunctionRequest request, CancellationToken cancellationToken)
    {
        ImmutableArray<AttributeData> attributes = compilation.GetTypeByMetadataName(request.NetworkMetadataName)?.GetAttributes() ?? ImmutableArray<AttributeData>.Empty;
        return request.AttributeOrdinal < attributes.Length
            ? LocationInfo.From(attributes[request.AttributeOrdinal].ApplicationSyntaxReference?.GetSyntax(cancellationToken))
            : null;
    }

    private FunctionParser(Compilation compilation, FunctionRequest request, NumericType numeric, string networkName, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _compilation = compilation;
        _numeric = numeric;
        _attributeLocation = AttributeLocation(compilation, request, cancellationToken);
        _request = request;
        _networkName = networkName;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// Finds the method a request names, checks its signature, and parses its body into an expression in <c>x</c>
    /// (an activation) or <c>o</c> and <c>t</c> (a loss). Returns null after reporting why when it cannot.
    /// </summary>
    public static Expr? Resolve(Compilation compilation, FunctionRequest request, NumericType numeric, string networkName, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        string t = numeric == NumericType.Float ? "float" : "double";
        string attribute = request.Role == FunctionRole.Activation ? "Activation" : "Loss";
        string wanted = request.Role == FunctionRole.Activation ? t + " " + request.MethodName + "(" + t + " x)" : t + " " + request.MethodName + "(" + t + " output, " + t + " target)";
        LocationInfo? at = AttributeLocation(compilation, request, cancellationToken);
        INamedTypeSymbol? type = compilation.GetTypeByMetadataName(request.TypeMetadataName);
        IMethodSymbol[] candidates = type?.GetMembers(request.MethodName).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToArray() ?? Array.Empty<IMethodSymbol>();
        string typeName = type?.Name ?? request.TypeMetadataName;
        if (candidates.Length == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FunctionNotFound, at, attribute, networkName, request.MethodName, typeName, wanted));
            return null;
        }

        SpecialType special = numeric == NumericType.Float ? SpecialType.System_Single : SpecialType.System_Double;
        int arity = request.Role == FunctionRole.Activation ? 1 : 2;
        IMethodSymbol? method = candidates.FirstOrDefault(m =>
            m.IsStatic && !m.IsGenericMethod && m.ReturnType.SpecialType == special && m.Parameters.Length == arity
            && m.Parameters.All(p => p.Type.SpecialType == special && p.RefKind == RefKind.None));
        if (method is null)
        {
            IMethodSymbol shown = candidates[0];
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FunctionSignature, at, attribute, networkName, wanted, request.MethodName,
                shown.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat.AddMemberOptions(SymbolDisplayMemberOptions.IncludeModifiers | SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeParameters)
                    .AddParameterOptions(SymbolDisplayParameterOptions.IncludeName | SymbolDisplayParameterOptions.IncludeParamsRefOut)), t));
            return null;
        }

        var parser = new FunctionParser(compilation, request, numeric, networkName, diagnostics, cancellationToken);
        string[] variables = request.Role == FunctionRole.Activation ? new[] { "x" } : new[] { "o", "t" };
        Expr? body = parser.Method(method, variables.Select(v => (Expr)new Var(v)).ToArray(), null);
        return body is null ? null : Simplifier.Simplify(body);
    }

    private string Attribute => (_request.Role == FunctionRole.Activation ? "Activation(" : "Loss(") + _request.MethodName + ")";

    private Expr? Fail(SyntaxNode node, string reason)
    {
        string code = node.ToString();
        if (code.Length > 80)
        {
            code = code.Substring(0, 77) + "...";
        }

        string method = _inlining.Count > 0 ? _inlining.Peek().Name : _request.MethodName;
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedInFunction, LocationInfo.From(node), code, method, Attribute, _networkName, reason));
        return null;
    }

    /// <summary>Parses a method's body with its parameters bound to <paramref name="arguments"/> (inlining).</summary>
    private Expr? Method(IMethodSymbol method, Expr[] arguments, SyntaxNode? callSite)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (method.DeclaringSyntaxReferences.Length == 0 || method.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is not MethodDeclarationSyntax declaration)
        {
            if (callSite is not null)
            {
                return Fail(callSite, "'" + method.Name + "' is compiled in another assembly, so its body cannot be differentiated");
            }

            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FunctionWithoutSource, _attributeLocation, _request.Role == FunctionRole.Activation ? "Activation" : "Loss", _networkName, method.Name));
            return null;
        }

        if (_inlining.Contains(method, SymbolEqualityComparer.Default))
        {
            return Fail(callSite ?? declaration, "'" + method.Name + "' calls itself; recursion cannot be inlined");
        }

        if (_inlining.Count >= MaxInliningDepth)
        {
            return Fail(callSite ?? declaration, "calls are nested more than " + MaxInliningDepth + " deep");
        }

        foreach (ParameterSyntax parameter in declaration.ParameterList.Parameters)
        {
            if (parameter.Modifiers.Count > 0)
            {
                return Fail(parameter, "a parameter with '" + parameter.Modifiers + "' may change or alias state; parameters must be plain values");
            }
        }

        SemanticModel model = _compilation.GetSemanticModel(declaration.SyntaxTree);
        var scope = new Dictionary<ISymbol, Expr>(SymbolEqualityComparer.Default);
        for (int i = 0; i < method.Parameters.Length && i < arguments.Length; i++)
        {
            scope[method.Parameters[i]] = arguments[i];
        }

        _inlining.Push(method);
        try
        {
            var body = new Body(this, model, scope);
            if (declaration.ExpressionBody is { } arrow)
            {
                return body.Translate(arrow.Expression);
            }

            if (declaration.Body is not { } block)
            {
                return Fail(declaration, "the method has no body");
            }

            return body.Block(block);
        }
        finally
        {
            _inlining.Pop();
        }
    }

    /// <summary>Translation of one method body, with its semantic model and the values of its parameters and locals.</summary>
    private sealed class Body(FunctionParser parser, SemanticModel model, Dictionary<ISymbol, Expr> scope)
    {
        public Expr? Block(BlockSyntax block)
        {
            SyntaxList<StatementSyntax> statements = block.Statements;
            if (statements.Count == 0 || statements[statements.Count - 1] is not ReturnStatementSyntax { Expression: { } result })
            {
                return parser.Fail(block, "the block must end with 'return expression;'");
            }

            for (int i = 0; i < statements.Count - 1; i++)
            {
                if (statements[i] is not LocalDeclarationStatementSyntax { IsConst: false, UsingKeyword.RawKind: 0 } declaration)
                {
                    return parser.Fail(statements[i], Describe(statements[i]) + " is not allowed; before the return, only declarations of locals with a value ('var s = …;') are");
                }

                foreach (VariableDeclaratorSyntax variable in declaration.Declaration.Variables)
                {
                    if (variable.Initializer is null)
                    {
                        return parser.Fail(variable, "a local must be given its value where it is declared, once");
                    }

                    Expr? value = Translate(variable.Initializer.Value);
                    if (value is null || model.GetDeclaredSymbol(variable) is not ILocalSymbol local)
                    {
                        return null;
                    }

                    scope[local] = value;
                }
            }

            return Translate(result);
        }

        private static string Describe(StatementSyntax statement) => statement switch
        {
            ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax => "a loop",
            IfStatementSyntax => "an 'if' statement (use c ? a : b)",
            ExpressionStatementSyntax => "a statement with a side effect",
            ReturnStatementSyntax => "an early return",
            LocalDeclarationStatementSyntax => "this declaration",
            _ => "this statement",
        };

        public Expr? Translate(ExpressionSyntax e)
        {
            // Any compile-time constant: literals, const fields, MathF.PI, 1 / 3f…
            Optional<object?> constant = model.GetConstantValue(e);
            if (constant.HasValue && constant.Value is double or float or int or long or short or byte or sbyte or uint or ulong or ushort or decimal)
            {
                return new Num(parser.Constant(Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture)));
            }

            switch (e)
            {
                case ParenthesizedExpressionSyntax p:
                    return Translate(p.Expression);
                case CastExpressionSyntax cast when model.GetTypeInfo(cast.Type).Type?.SpecialType is SpecialType.System_Single or SpecialType.System_Double:
                    return Translate(cast.Expression);
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus:
                    return Translate(minus.Operand) is { } operand ? -operand : null;
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryPlusExpression } plus:
                    return Translate(plus.Operand);
                case BinaryExpressionSyntax b when Arithmetic(b.Kind()) is BinaryOp op:
                {
                    Expr? left = Translate(b.Left), right = Translate(b.Right);
                    return left is null || right is null ? null : new Binary(op, left, right);
                }

                case ConditionalExpressionSyntax c:
                    return Conditional(c);
                case IdentifierNameSyntax or MemberAccessExpressionSyntax:
                    return Name(e);
                case InvocationExpressionSyntax call:
                    return Invocation(call);
                case AssignmentExpressionSyntax or PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax:
                    return parser.Fail(e, "an assignment or increment changes state");
                case BinaryExpressionSyntax b:
                    return parser.Fail(e, "the operator '" + b.OperatorToken.Text + "' is not differentiable here; use + - * / and comparisons inside c ? a : b");
                default:
                    return parser.Fail(e, "this kind of expression (" + e.Kind() + ") is not supported");
            }
        }

        private static BinaryOp? Arithmetic(SyntaxKind kind) => kind switch
        {
            SyntaxKind.AddExpression => BinaryOp.Add,
            SyntaxKind.SubtractExpression => BinaryOp.Subtract,
            SyntaxKind.MultiplyExpression => BinaryOp.Multiply,
            SyntaxKind.DivideExpression => BinaryOp.Divide,
            _ => null,
        };

        private Expr? Conditional(ConditionalExpressionSyntax c)
        {
            ExpressionSyntax condition = c.Condition;
            while (condition is ParenthesizedExpressionSyntax p)
            {
                condition = p.Expression;
            }

            Comparison? op = condition.Kind() switch
            {
                SyntaxKind.GreaterThanExpression => Comparison.Greater,
                SyntaxKind.GreaterThanOrEqualExpression => Comparison.GreaterOrEqual,
                SyntaxKind.LessThanExpression => Comparison.Less,
                SyntaxKind.LessThanOrEqualExpression => Comparison.LessOrEqual,
                _ => null,
            };
            if (op is null || condition is not BinaryExpressionSyntax compare)
            {
                return parser.Fail(condition, "the condition must be one comparison with <, <=, > or >=");
            }

            Expr? left = Translate(compare.Left), right = Translate(compare.Right);
            Expr? whenTrue = Translate(c.WhenTrue), whenFalse = Translate(c.WhenFalse);
            return left is null || right is null || whenTrue is null || whenFalse is null ? null : new Conditional(op.Value, left, right, whenTrue, whenFalse);
        }

        private Expr? Name(ExpressionSyntax e)
        {
            ISymbol? symbol = model.GetSymbolInfo(e).Symbol;
            switch (symbol)
            {
                case IParameterSymbol or ILocalSymbol when scope.TryGetValue(symbol, out Expr? value):
                    return value;
                case ILocalSymbol:
                    return parser.Fail(e, "this local is not declared with a value before its use");
                case IFieldSymbol { IsStatic: false } or IPropertySymbol { IsStatic: false }:
                    return parser.Fail(e, "an instance member differs between objects; a function may read only its parameters and constants");
                case IFieldSymbol or IPropertySymbol:
                    return parser.Fail(e, "a static field or property that is not 'const' may change at run time; make it const");
                default:
                    return parser.Fail(e, "'" + e + "' is not a parameter, a local or a numeric constant");
            }
        }

        private Expr? Invocation(InvocationExpressionSyntax call)
        {
            if (model.GetSymbolInfo(call).Symbol is not IMethodSymbol method)
            {
                return parser.Fail(call, "the call does not resolve to one method");
            }

            if (!method.IsStatic)
            {
                return parser.Fail(call, "'" + method.Name + "' is an instance method; only static methods can be inlined");
            }

            var arguments = new Expr[call.ArgumentList.Arguments.Count];
            for (int i = 0; i < arguments.Length; i++)
            {
                ArgumentSyntax argument = call.ArgumentList.Arguments[i];
                if (argument.RefKindKeyword.RawKind != 0 || argument.NameColon is not null)
                {
                    return parser.Fail(argument, "arguments must be plain values in order");
                }

                Expr? value = Translate(argument.Expression);
                if (value is null)
                {
                    return null;
                }

                arguments[i] = value;
            }

            string container = method.ContainingType.ToDisplayString();
            if (container is "System.Math" or "System.MathF" or "float" or "double")
            {
                return MathCall(call, method.Name, arguments);
            }

            if (method.Parameters.Any(p => p.RefKind != RefKind.None) || method.ReturnType.SpecialType is not (SpecialType.System_Single or SpecialType.System_Double))
            {
                return parser.Fail(call, "'" + method.Name + "' must take and return float or double values to be inlined");
            }

            return parser.Method(method, arguments, call);
        }

        private Expr? MathCall(InvocationExpressionSyntax call, string name, Expr[] a)
        {
            if (!MathFunctions.TryGetValue(name, out int arity) || arity != a.Length)
            {
                string supported = string.Join(" ", MathFunctions.Keys);
                return parser.Fail(call, "'" + name + "' with " + a.Length + " argument(s) is not one of the supported Math/MathF functions (" + supported + ")");
            }

            return name switch
            {
                "Pow" => E.Pow(a[0], a[1]),
                "Max" => E.Max(a[0], a[1]),
                "Min" => new Binary(BinaryOp.Min, a[0], a[1]),
                "Clamp" => new Binary(BinaryOp.Min, E.Max(a[0], a[1]), a[2]),
                _ => new Unary((UnaryOp)Enum.Parse(typeof(UnaryOp), name), a[0]),
            };
        }
    }
}
