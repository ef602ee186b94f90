using System;
using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;

namespace Codegen.Generator.Emit;

// Forward and backward of the layers that work on C×H×W images, side by side. Spatial and channel loops stay loops
// with constant bounds; only a kernel row without padding is unrolled, so code size grows with the number of layers,
// not with the size of the tensors.
internal sealed partial class NetworkEmitter
{
    private static string Times(string variable, int k) => k == 1 ? variable : variable + " * " + S(k);

    private static string Plus(string a, string b) => a == "0" ? b : b == "0" ? a : a + " + " + b;

    /// <summary>
    /// The loop nest of a convolution: every output position (f, oy, ox), then every (c, ky, kx) of its window that
    /// falls inside the input. <paramref name="atPosition"/> writes code once per output position (its flat index
    /// given), <paramref name="mac"/> the statement for a weight index and an input index.
    /// </summary>
    private void ConvolutionLoops(Conv2DSpec c, Action<string> atPosition, Func<string, string, string> mac, Action<string>? afterPosition = null)
    {
        int ch = c.Input.Channels, h = c.Input.Height, w = c.Input.Width, oh = c.Output.Height, ow = c.Output.Width;
        int kh = c.KernelHeight, kw = c.KernelWidth, s = c.Stride, p = c.Padding;
        bool clip = p > 0;
        _w.OpenBlock("for (int f = 0; f < " + S(c.Filters) + "; f++)");
        _w.OpenBlock("for (int oy = 0; oy < " + S(oh) + "; oy++)");
        _w.WriteLine("int iy0 = " + Times("oy", s) + (p > 0 ? " - " + S(p) : string.Empty) + ";");
        if (clip)
        {
            _w.WriteLine("int kyStart = iy0 < 0 ? -iy0 : 0, kyEnd = " + S(h) + " - iy0 < " + S(kh) + " ? " + S(h) + " - iy0 : " + S(kh) + ";");
        }

        _w.OpenBlock("for (int ox = 0; ox < " + S(ow) + "; ox++)");
        _w.WriteLine("int ix0 = " + Times("ox", s) + (p > 0 ? " - " + S(p) : string.Empty) + ";");
        if (clip)
        {
            _w.WriteLine("int kxStart = ix0 < 0 ? -ix0 : 0, kxEnd = " + S(w) + " - ix0 < " + S(kw) + " ? " + S(w) + " - ix0 : " + S(kw) + ";");
        }

        string position = "(" + Times("f", oh) + " + oy) * " + S(ow) + " + ox";
        atPosition(position);

        // The window over (c, ky, kx); with clipping, only its part inside the input.
        void Window(bool clipped)
        {
            _w.OpenBlock("for (int c = 0; c < " + S(ch) + "; c++)");
            _w.OpenBlock("for (int ky = " + (clipped ? "kyStart" : "0") + "; ky < " + (clipped ? "kyEnd" : S(kh)) + "; ky++)");
            _w.WriteLine("int wRow = ((" + Times("f", ch) + " + c) * " + S(kh) + " + ky) * " + S(kw) + ";");
            _w.WriteLine("int xRow = (" + Times("c", h) + " + iy0 + ky) * " + S(w) + " + ix0;");
            if (!clipped && kw <= UnrollLimit)
            {
                for (int kx = 0; kx < kw; kx++)
                {
                    _w.WriteLine(mac(Plus("wRow", S(kx)), Plus("xRow", S(kx))));
                }
            }
            else
            {
                _w.OpenBlock("for (int kx = " + (clipped ? "kxStart" : "0") + "; kx < " + (clipped ? "kxEnd" : S(kw)) + "; kx++)");
                _w.WriteLine(mac("wRow + kx", "xRow + kx"));
                _w.CloseBlock();
            }

            _w.CloseBlock();
            _w.CloseBlock();
        }

        if (clip)
        {
            // Away from the border the whole window is inside: the same code as without padding, rows unrolled.
            _w.OpenBlock("if (kyStart == 0 && kyEnd == " + S(kh) + " && kxStart == 0 && kxEnd == " + S(kw) + ")");
            Window(clipped: false);
            _w.CloseBlock();
            _w.OpenBlock("else");
            Window(clipped: true);
            _w.CloseBlock();
        }
        else
        {
            Window(clipped: false);
        }

        afterPosition?.Invoke(position);
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
    }

    /// <summary>The input coordinate a kernel offset reads, as in <c>2·oy − 1 + ky</c>.</summary>
    private static string Reads(string position, int stride, int padding, string offset) =>
        (stride == 1 ? string.Empty : S(stride) + "·") + position + (padding > 0 ? " − " + S(padding) : string.Empty) + " + " + offset;

    private string ConvFormula(int i, Conv2DSpec c) =>
        Header(i) + "ŷ" + Sup(i) + "[f, oy, ox] = b" + Sup(i) + "[f] + Σ_c Σ_ky Σ_kx W" + Sup(i) + "[f, c, ky, kx] x" + Sup(i) + "[c, "
        + Reads("oy", c.Stride, c.Padding, "ky") + ", " + Reads("ox", c.Stride, c.Padding, "kx") + "]" + (c.Padding > 0 ? " (zero outside the input)" : string.Empty) + ", " + c.Input + " → " + c.Output;

    private void Conv2DForward(int i, Conv2DSpec c)
    {
        var (weight, bias) = _plan.Slots[i];
        _w.WriteLine(ConvFormula(i, c));
        _w.WriteLine("//   In TinyNet's matrix form ŷ" + Sup(i) + " = W* X* + b, with W* the " + S(c.Filters) + " × " + S(c.Input.Channels * c.KernelHeight * c.KernelWidth)
            + " weight matrix and X* the " + S(c.Input.Channels * c.KernelHeight * c.KernelWidth) + " × " + S(c.Output.Height * c.Output.Width) + " matrix of input patches; neither is materialized.");
        _w.OpenBlock();
        Declare("w", "p.Slice(" + weight.Constant + ", " + weight.Constant + "Length)");
        Declare("b", "p.Slice(" + bias.Constant + ", " + bias.Constant + "Length)");
        Declare("x", _plan.InputOf(i));
        Declare("y", _plan.OutputOf(i), readOnly: false);
        if (NetworkPlan.Tiled(c))
        {
            string input = PadFirst(_plan.PaddedInputOf(i), "x", "the input");
            bool relu = _plan.ReLUInConvolution(i + 1);
            if (relu)
            {
                _w.WriteLine("//   ReLU (layer " + S(i + 1) + ") applied as the sums are stored: y holds max(0, ŷ" + Sup(i) + "), which is also ŷ" + Sup(i + 1) + ".");
            }

            _w.WriteLine("global::CodegenConvKernels.Correlate(" + input + ", w, b, y, " + CorrelateSizes(c.Input.Channels, _plan.PaddedInputOf(i), c.Input.Height, c.Input.Width, c) + ", transposed: false, relu: " + (relu ? "true" : "false") + ");");
        }
        else
        {
            ConvolutionLoops(c, _ => _w.WriteLine(_t + " s = b[f];"), (wi, xi) => "s += w[" + wi + "] * x[" + xi + "];", position => _w.WriteLine("y[" + position + "] = s;"));
        }

        _w.CloseBlock();
    }

    /// <summary>
    /// Writes the copy of <paramref name="source"/> into its zero-bordered buffer, when there is one, and returns what the
    /// tiled kernel reads: the buffer, or the source itself.
    /// </summary>
    private string PadFirst(PaddedBuffer? padded, string source, string what)
    {
        if (padded is null)
        {
            _w.WriteLine("//   Register tiles over " + what + " (CodegenConvKernels), stride 1.");
            return source;
        }

        _w.WriteLine("//   " + what.Substring(0, 1).ToUpperInvariant() + what.Substring(1) + " is copied into " + padded.Field + ", " + padded.Description + ", and read there by register tiles (CodegenConvKernels).");
        _w.WriteLine("global::CodegenConvKernels.Pad(" + source + ", " + padded.Field + ", " + S(padded.Channels) + ", " + S(padded.Height) + ", " + S(padded.Width) + ", " + S(padded.Top) + ", " + S(padded.Left) + ");");
        return padded.Field;
    }

    /// <summary>The size arguments of a CodegenConvKernels call: channels, height and width of what it reads (padded), then filters and kernel.</summary>
    private static string CorrelateSizes(int channels, PaddedBuffer? padded, int height, int width, Conv2DSpec c) =>
        S(channels) + ", " + S(padded?.PaddedHeight ?? height) + ", " + S(padded?.PaddedWidth ?? width) + ", " + S(c.Filters) + ", " + S(c.KernelHeight) + ", " + S(c.KernelWidth);

    private void Conv2DBackward(int i, Conv2DSpec c)
    {
        var (weight, bias) = _plan.Slots[i];
        var pooled = _plan.PooledGradient(i);
        ParametricBackward(i, "∂ℓ/∂W* += ∇" + Sup(i) + " X*ᵀ, i.e. ∂ℓ/∂W" + Sup(i) + "[f, c, ky, kx] += Σ_oy Σ_ox ∇" + Sup(i) + "[f, oy, ox] x" + Sup(i) + "[c, …]; ∂ℓ/∂b" + Sup(i) + "[f] += Σ_oy Σ_ox ∇" + Sup(i) + "[f, oy, ox]", c.Output.Length, target =>
        {
            if (pooled is var (pool, relu))
            {
                PooledWeightGradient(i, c, pool, relu, target);
                return;
            }

            Declare("g", _plan.GradientOf(i));
            Declare("x", _plan.InputOf(i));
            Declare("gw", target + ".Slice(" + weight.Constant + ", " + weight.Constant + "Length)", readOnly: false);
            Declare("gb", target + ".Slice(" + bias.Constant + ", " + bias.Constant + "Length)", readOnly: false);
            if (NetworkPlan.Tiled(c))
            {
                // Padded again rather than read as Forward left it: the copy is small next to the gradient, and the
                // block then depends on nothing but x⁽ⁱ⁾ and ∇⁽ⁱ⁾.
                PaddedBuffer? padded = _plan.PaddedInputOf(i);
                string input = PadFirst(padded, "x", "x" + Sup(i));
                _w.WriteLine("global::CodegenConvKernels.WeightGradient(g, " + input + ", gw, gb, " + CorrelateSizes(c.Input.Channels, padded, c.Input.Height, c.Input.Width, c) + ");");
            }
            else
            {
                ConvolutionLoops(c, position =>
                {
                    _w.WriteLine(_t + " d = g[" + position + "];");
                    _w.WriteLine("gb[f] += d;");
                }, (wi, xi) => "gw[" + wi + "] += d * x[" + xi + "];");
            }
        }, () => InputGradient(i, "∂ℓ/∂X* = W*ᵀ ∇" + Sup(i) + ", each patch added back where it came from: ∂ℓ/∂x" + Sup(i) + "[c, iy, ix] = Σ over the windows that cover it of W" + Sup(i) + "[f, c, ky, kx] ∇" + Sup(i) + "[f, oy, ox]", gx =>
        {
            Declare("w", "p.Slice(" + weight.Constant + ", " + weight.Constant + "Length)");
            Declare("g", _plan.GradientOf(i));
            Declare("gx", gx, readOnly: false);
            if (NetworkPlan.Tiled(c))
            {
                PaddedBuffer? padded = _plan.PaddedGradientOf(i);
                string source = PadFirst(padded, "g", "∇" + Sup(i));
                _w.WriteLine("//   ∂ℓ/∂x" + Sup(i) + "[c, iy, ix] = Σ_f Σ_ky Σ_kx W" + Sup(i) + "[f, c, kh − 1 − ky, kw − 1 − kx] ∇[f, iy + ky, ix + kx] over the bordered ∇: the kernels transposed and turned by 180°.");
                _w.WriteLine("global::CodegenConvKernels.Correlate(" + source + ", w, default, gx, " + S(c.Filters) + ", " + S(padded?.PaddedHeight ?? c.Output.Height) + ", " + S(padded?.PaddedWidth ?? c.Output.Width) + ", " + S(c.Input.Channels) + ", " + S(c.KernelHeight) + ", " + S(c.KernelWidth) + ", transposed: true, relu: false);");
            }
            else
            {
                _w.WriteLine("gx.Clear();");
                ConvolutionLoops(c, position => _w.WriteLine(_t + " d = g[" + position + "];"), (wi, xi) => "gx[" + xi + "] += w[" + wi + "] * d;");
            }
        }), scalesItself: pooled is not null);
    }

    /// <summary>
    /// ∂ℓ/∂W⁽ⁱ⁾ of a convolution followed by max pooling (through ReLU or not), from the pooled ∇: every other value of ∇⁽ⁱ⁾
    /// is zero, so the sum over the output plane is a sum over the windows' winners, each adding its pooled ∇ (times
    /// ReLU′ at the winner) times the input patch it was computed from. In the fused step −η is applied here.
    /// </summary>
    private void PooledWeightGradient(int i, Conv2DSpec c, int pool, bool relu, string target)
    {
        var (weight, bias) = _plan.Slots[i];
        var p = (Pool2DSpec)_plan.Layer(pool);
        _w.WriteLine("//   ∇" + Sup(i) + " is zero but at the winner of each window o (kept by layer " + S(pool) + "), where it is ∇" + Sup(pool) + "[o]" + (relu ? " if ŷ" + Sup(i) + " > 0 there (ReLU′)" : string.Empty) + ", so");
        _w.WriteLine("//   ∂ℓ/∂W" + Sup(i) + "[f, c, ky, kx] += Σ_o ∇" + Sup(pool) + "[f, o] x" + Sup(i) + "[c, oy + ky, ox + kx] with (oy, ox) the winner of o: " + S(p.Output.Height * p.Output.Width) + " windows per filter instead of " + S(c.Output.Height * c.Output.Width) + " positions.");
        Declare("g", _plan.GradientOf(pool));
        _w.WriteLine("global::System.ReadOnlySpan<int> arg = " + WithConstantLength(_plan.ArgMaxOf(pool)) + ";");
        if (relu)
        {
            Declare("pooledY", _plan.OutputOf(pool)); // the winners' values: ReLU′ is 1 where they are > 0
        }

        Declare("x", _plan.InputOf(i));
        Declare("gw", target + ".Slice(" + weight.Constant + ", " + weight.Constant + "Length)", readOnly: false);
        Declare("gb", target + ".Slice(" + bias.Constant + ", " + bias.Constant + "Length)", readOnly: false);
        PaddedBuffer? padded = _plan.PaddedInputOf(i);
        string input = padded is null ? "x" : PadFirst(padded, "x", "x" + Sup(i));
        _w.WriteLine("global::CodegenConvKernels.PooledWeightGradient(g, arg, " + (relu ? "pooledY" : "default") + ", " + input + ", gw, gb, "
            + CorrelateSizes(c.Input.Channels, padded, c.Input.Height, c.Input.Width, c) + ", " + S(p.Output.Height * p.Output.Width) + ", " + S(p.Output.Width) + ", " + S(p.Size) + ", " + S(p.Stride) + ", " + (_fusedStep ? "-learningRate" : Lit(1)) + ");");
    }

    /// <summary>
    /// The loop nest of a transposed convolution: every input position (c, iy, ix), then every (f, ky, kx) that it
    /// reaches inside the output.
    /// </summary>
    private void TransposedLoops(ConvTranspose2DSpec c, Action atPosition, Func<string, string, string> mac, Action? afterPosition = null)
    {
        int ch = c.Input.Channels, h = c.Input.Height, w = c.Input.Width, oh = c.Output.Height, ow = c.Output.Width;
        int kh = c.KernelHeight, kw = c.KernelWidth, s = c.Stride, p = c.Padding;
        bool clip = p > 0;
        _w.OpenBlock("for (int c = 0; c < " + S(ch) + "; c++)");
        _w.OpenBlock("for (int iy = 0; iy < " + S(h) + "; iy++)");
        _w.WriteLine("int oy0 = " + Times("iy", s) + (p > 0 ? " - " + S(p) : string.Empty) + ";");
        if (clip)
        {
            _w.WriteLine("int kyStart = oy0 < 0 ? -oy0 : 0, kyEnd = " + S(oh) + " - oy0 < " + S(kh) + " ? " + S(oh) + " - oy0 : " + S(kh) + ";");
        }

        _w.OpenBlock("for (int ix = 0; ix < " + S(w) + "; ix++)");
        _w.WriteLine("int ox0 = " + Times("ix", s) + (p > 0 ? " - " + S(p) : string.Empty) + ";");
        if (clip)
        {
            _w.WriteLine("int kxStart = ox0 < 0 ? -ox0 : 0, kxEnd = " + S(ow) + " - ox0 < " + S(kw) + " ? " + S(ow) + " - ox0 : " + S(kw) + ";");
        }

        _w.WriteLine("int xi = (" + Times("c", h) + " + iy) * " + S(w) + " + ix;");
        atPosition();
        _w.OpenBlock("for (int f = 0; f < " + S(c.Filters) + "; f++)");
        _w.OpenBlock("for (int ky = " + (clip ? "kyStart" : "0") + "; ky < " + (clip ? "kyEnd" : S(kh)) + "; ky++)");
        _w.WriteLine("int wRow = ((" + Times("c", c.Filters) + " + f) * " + S(kh) + " + ky) * " + S(kw) + ";");
        _w.WriteLine("int yRow = (" + Times("f", oh) + " + oy0 + ky) * " + S(ow) + " + ox0;");
        if (!clip && kw <= UnrollLimit)
        {
            for (int kx = 0; kx < kw; kx++)
            {
                _w.WriteLine(mac(Plus("wRow", S(kx)), Plus("yRow", S(kx))));
            }
        }
        else
        {
            _w.OpenBlock("for (int kx = " + (clip ? "kxStart" : "0") + "; kx < " + (clip ? "kxEnd" : S(kw)) + "; kx++)");
            _w.WriteLine(mac("wRow + kx", "yRow + kx"));
            _w.CloseBlock();
        }

        _w.CloseBlock();
        _w.CloseBlock();
        afterPosition?.Invoke();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
    }

    private void ConvTranspose2DForward(int i, ConvTranspose2DSpec c)
    {
        var (weight, bias) = _plan.Slots[i];
        _w.WriteLine(Header(i) + "ŷ" + Sup(i) + "[f, " + Reads("iy", c.Stride, c.Padding, "ky") + ", " + Reads("ix", c.Stride, c.Padding, "kx") + "] += W" + Sup(i) + "[c, f, ky, kx] x" + Sup(i) + "[c, iy, ix], starting from b" + Sup(i) + "[f], " + c.Input + " → " + c.Output);
        _w.WriteLine("//   The transpose of a convolution: in TinyNet's matrix form ŷ" + Sup(i) + " = W*ᵀ x" + Sup(i) + " + b, each column folded back onto the output.");
        _w.OpenBlock();
        Declare("w", "p.Slice(" + weight.Constant + ", " + weight.Constant + "Length)");
        Declare("b", "p.Slice(" + bias.Constant + ", " + bias.Constant + "Length)");
        Declare("x", _plan.InputOf(i));
        Declare("y", _plan.OutputOf(i), readOnly: false);
        int plane = c.Output.Height * c.Output.Width;
        Loop("f", c.Filters, false, f => _w.WriteLine("y.Slice(" + Times("f", plane) + ", " + S(plane) + ").Fill(b[f]);"));
        TransposedLoops(c, () => _w.WriteLine(_t + " v = x[xi];"), (wi, yi) => "y[" + yi + "] += w[" + wi + "] * v;");
        _w.CloseBlock();
    }

    private void ConvTranspose2DBackward(int i, ConvTranspose2DSpec c)
    {
        var (weight, bias) = _plan.Slots[i];
        int plane = c.Output.Height * c.Output.Width;
        ParametricBackward(i, "∂ℓ/∂W" + Sup(i) + "[c, f, ky, kx] += Σ_iy Σ_ix x" + Sup(i) + "[c, iy, ix] ∇" + Sup(i) + "[f, …], ∂ℓ/∂b" + Sup(i) + "[f] += Σ ∇" + Sup(i) + "[f, oy, ox]", c.Output.Length, target =>
        {
            Declare("g", _plan.GradientOf(i));
            Declare("x", _plan.InputOf(i));
            Declare("gw", target + ".Slice(" + weight.Constant + ", " + weight.Constant + "Length)", readOnly: false);
            Declare("gb", target + ".Slice(" + bias.Constant + ", " + bias.Constant + "Length)", readOnly: false);
            Loop("f", c.Filters, false, f =>
            {
                _w.WriteLine(_t + " sum = " + Lit(0) + ";");
                Loop("q", plane, false, q => _w.WriteLine("sum += g[" + Plus(Times("f", plane), "q") + "];"));
                _w.WriteLine("gb[f] += sum;");
            });
            TransposedLoops(c, () => _w.WriteLine(_t + " v = x[xi];"), (wi, yi) => "gw[" + wi + "] += v * g[" + yi + "];");
        }, () => InputGradient(i, "∂ℓ/∂x" + Sup(i) + " = W* ∇" + Sup(i) + ": ∂ℓ/∂x" + Sup(i) + "[c, iy, ix] = Σ_f Σ_ky Σ_kx W" + Sup(i) + "[c, f, ky, kx] ∇" + Sup(i) + "[f, …] (a convolution of ∇" + Sup(i) + ")", gx =>
        {
            Declare("w", "p.Slice(" + weight.Constant + ", " + weight.Constant + "Length)");
            Declare("g", _plan.GradientOf(i));
            Declare("gx", gx, readOnly: false);
            TransposedLoops(c, () => _w.WriteLine(_t + " s = " + Lit(0) + ";"), (wi, yi) => "s += w[" + wi + "] * g[" + yi + "];", () => _w.WriteLine("gx[xi] = s;"));
        }));
    }

    /// <summary>The loop nest of a pooling layer: every window (c, oy, ox), with the flat index of its top-left input.</summary>
    private void PoolLoops(Pool2DSpec pool, Action<string, string> window)
    {
        int h = pool.Input.Height, w = pool.Input.Width, oh = pool.Output.Height, ow = pool.Output.Width;
        _w.OpenBlock("for (int c = 0; c < " + S(pool.Input.Channels) + "; c++)");
        _w.OpenBlock("for (int oy = 0; oy < " + S(oh) + "; oy++)");
        _w.OpenBlock("for (int ox = 0; ox < " + S(ow) + "; ox++)");
        _w.WriteLine("int o = (" + Times("c", oh) + " + oy) * " + S(ow) + " + ox;");
        _w.WriteLine("int start = (" + Times("c", h) + " + " + Times("oy", pool.Stride) + ") * " + S(w) + " + " + Times("ox", pool.Stride) + ";");
        window("o", "start");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
    }

    private void WindowLoops(Pool2DSpec pool, Func<string, string> statement)
    {
        int w = pool.Input.Width;
        _w.OpenBlock("for (int ky = 0; ky < " + S(pool.Size) + "; ky++)");
        if (pool.Size <= UnrollLimit)
        {
            for (int kx = 0; kx < pool.Size; kx++)
            {
                _w.WriteLine(statement("start + " + Times("ky", w) + (kx > 0 ? " + " + S(kx) : string.Empty)));
            }
        }
        else
        {
            _w.OpenBlock("for (int kx = 0; kx < " + S(pool.Size) + "; kx++)");
            _w.WriteLine(statement("start + " + Times("ky", w) + " + kx"));
            _w.CloseBlock();
        }

        _w.CloseBlock();
    }

    private void Pool2DForward(int i, Pool2DSpec pool)
    {
        bool max = pool.Kind == PoolKind.Max;
        _w.WriteLine(Header(i) + "ŷ" + Sup(i) + "[c, oy, ox] = " + (max ? "max" : "mean") + " of x" + Sup(i) + "[c, " + Reads("oy", pool.Stride, 0, "ky") + ", " + Reads("ox", pool.Stride, 0, "kx") + "] over the " + S(pool.Size) + "×" + S(pool.Size) + " window, " + pool.Input + " → " + pool.Output
            + (max ? "; the index of the maximum (the first, on ties) is kept for Backward" : string.Empty));
        _w.OpenBlock();
        Declare("x", _plan.InputOf(i));
        Declare("y", _plan.OutputOf(i), readOnly: false);
        if (max)
        {
            _w.WriteLine("global::System.Span<int> arg = " + WithConstantLength(_plan.ArgMaxOf(i)) + ";");
        }

        if (VectorPool(pool))
        {
            _w.WriteLine("//   Vector256 lanes of windows side by side (CodegenConvKernels.MaxPool2x2); the same first maximum as the scalar loops.");
            _w.WriteLine("global::CodegenConvKernels.MaxPool2x2(x, y, arg, " + S(pool.Input.Channels) + ", " + S(pool.Input.Height) + ", " + S(pool.Input.Width) + ");");
            _w.CloseBlock();
            return;
        }

        PoolLoops(pool, (o, start) =>
        {
            if (max)
            {
                _w.WriteLine("int best = start;");
                WindowLoops(pool, k => "best = x[" + k + "] > x[best] ? " + k + " : best;");
                _w.WriteLine("y[o] = x[best];");
                _w.WriteLine("arg[o] = best;");
            }
            else
            {
                _w.WriteLine(_t + " s = " + Lit(0) + ";");
                WindowLoops(pool, k => "s += x[" + k + "];");
                _w.WriteLine("y[o] = s * " + Lit(1.0 / (pool.Size * pool.Size)) + ";");
            }
        });
        _w.CloseBlock();
    }

    private void Pool2DBackward(int i, Pool2DSpec pool)
    {
        bool max = pool.Kind == PoolKind.Max;
        string formula = max
            ? "Layer " + S(i) + ", " + pool.Name + ": ∂ℓ/∂x" + Sup(i) + " is ∇" + Sup(i) + " routed to the position that won each window, zero elsewhere"
            : "Layer " + S(i) + ", " + pool.Name + ": ∂ℓ/∂x" + Sup(i) + "[c, iy, ix] = Σ over the windows that cover it of ∇" + Sup(i) + "[c, oy, ox] / " + S(pool.Size * pool.Size);
        InputGradient(i, formula, gx =>
        {
            Declare("g", _plan.GradientOf(i));
            Declare("gx", gx, readOnly: false);
            _w.WriteLine("gx.Clear();");
            if (max)
            {
                _w.WriteLine("global::System.ReadOnlySpan<int> arg = " + WithConstantLength(_plan.ArgMaxOf(i)) + ";");
                Loop("o", pool.OutputLength, false, o => _w.WriteLine("gx[arg[o]] += g[o];"));
            }
            else
            {
                PoolLoops(pool, (o, start) =>
                {
                    _w.WriteLine(_t + " d = g[o] * " + Lit(1.0 / (pool.Size * pool.Size)) + ";");
                    WindowLoops(pool, k => "gx[" + k + "] += d;");
                });
            }
        });
    }

    private void MaxUnpool2DForward(int i, MaxUnpool2DSpec u)
    {
        _w.WriteLine(Header(i) + "ŷ" + Sup(i) + " is zero but where layer " + S(u.PoolLayer) + "'s max pooling found each maximum: ŷ" + Sup(i) + "[arg[k]] = x" + Sup(i) + "[k], " + u.Input + " → " + u.Output);
        _w.OpenBlock();
        Declare("x", _plan.InputOf(i));
        Declare("y", _plan.OutputOf(i), readOnly: false);
        _w.WriteLine("global::System.ReadOnlySpan<int> arg = " + WithConstantLength(_plan.ArgMaxOf(u.PoolLayer)) + ";");
        _w.WriteLine("y.Clear();");
        Loop("k", u.InputLength, false, k => _w.WriteLine("y[arg[k]] = x[k];"));
        _w.CloseBlock();
    }

    private void MaxUnpool2DBackward(int i, MaxUnpool2DSpec u)
    {
        InputGradient(i, "Layer " + S(i) + ", MaxUnpool2D: ∂ℓ/∂x" + Sup(i) + "[k] = ∇" + Sup(i) + "[arg[k]]", gx =>
        {
            Declare("g", _plan.GradientOf(i));
            Declare("gx", gx, readOnly: false);
            _w.WriteLine("global::System.ReadOnlySpan<int> arg = " + WithConstantLength(_plan.ArgMaxOf(u.PoolLayer)) + ";");
            Loop("k", u.InputLength, false, k => _w.WriteLine("gx[k] = g[arg[k]];"));
        });
    }

    private void FlattenForward(int i, FlattenSpec f)
    {
        _w.WriteLine(Header(i) + "ŷ" + Sup(i) + " = x" + Sup(i) + " read as a vector, " + f.Input + " → " + f.Output);
        if (_plan.FlattenShares(i))
        {
            _w.WriteLine("//   " + _plan.OutputOf(i) + " is " + _plan.OutputOf(i - 1) + " (the same values in the same order), nothing to do here");
            return;
        }

        _w.WriteLine("((" + _readOnlySpan + ")" + WithConstantLength(_plan.InputOf(i)) + ").CopyTo(" + WithConstantLength(_plan.OutputOf(i)) + ");");
    }

    private void FlattenBackward(int i, FlattenSpec f)
    {
        string formula = "Layer " + S(i) + ", Flatten: ∂ℓ/∂x" + Sup(i) + " = ∇" + Sup(i) + " read as " + f.Input;
        if (_plan.FlattenShares(i))
        {
            _w.WriteLine("// " + formula + ": " + _plan.GradientOf(i - 1) + " is " + _plan.GradientOf(i) + ", nothing to do here");
            return;
        }

        InputGradient(i, formula, gx =>
            _w.WriteLine("((" + _readOnlySpan + ")" + WithConstantLength(_plan.GradientOf(i)) + ").CopyTo(" + WithConstantLength(gx) + ");"));
    }

    private void DropoutForward(int i, DropoutSpec d)
    {
        string training = _isStruct ? "_training[0]" : "_training";
        _w.WriteLine(Header(i) + "while training, ŷ" + Sup(i) + "ⱼ = x" + Sup(i) + "ⱼ mⱼ with mⱼ = 0 with probability " + Printer.Number(d.Rate) + ", else 1/(1 − " + Printer.Number(d.Rate) + "); otherwise ŷ" + Sup(i) + " = x" + Sup(i));
        _w.OpenBlock();
        Declare("x", _plan.InputOf(i));
        Declare("y", _plan.OutputOf(i), readOnly: false);
        Declare("mask", _plan.MaskOf(i), readOnly: false);
        _w.OpenBlock("if (" + training + ")");
        _w.WriteLine("ref " + KnownNames.DeterministicRandom + " random = ref _random[0];");
        Loop("j", d.OutputLength, false, j =>
        {
            _w.WriteLine(_t + " m = random.NextDouble() >= " + Printer.Literal(d.Rate, NumericType.Double) + " ? " + Lit(1 / (1 - d.Rate)) + " : " + Lit(0) + ";");
            _w.WriteLine("mask[j] = m;");
            _w.WriteLine("y[j] = x[j] * m;");
        });
        _w.CloseBlock();
        _w.OpenBlock("else");
        _w.WriteLine("mask.Fill(" + Lit(1) + ");");
        _w.WriteLine("x.CopyTo(y);");
        _w.CloseBlock();
        _w.CloseBlock();
    }

    private void DropoutBackward(int i, DropoutSpec d) =>
        InputGradient(i, "Layer " + S(i) + ", " + d.Name + ": ∂ℓ/∂x" + Sup(i) + "ⱼ = ∇" + Sup(i) + "ⱼ mⱼ, with the mask of the last Forward", gx =>
        {
            Declare("g", _plan.GradientOf(i));
            Declare("mask", _plan.MaskOf(i));
            Declare("gx", gx, readOnly: false);
            Loop("j", d.OutputLength, false, j => _w.WriteLine("gx[j] = g[j] * mask[j];"));
        });
}
