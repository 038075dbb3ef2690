using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OcrForge.Runtime;

/// <summary>One float32 computation measured against the same computation in float64.</summary>
/// <param name="Recurrent">Measured on the path <see cref="OneDnnUse.Recurrent"/> runs (a recurrent layer on oneDNN
/// with gradients on), not on libtorch's default path.</param>
public sealed record KernelCheckCase(string Name, double RelativeError, bool Recurrent = false)
{
    public bool Passed(double tolerance) => RelativeError <= tolerance; // NaN fails
    public override string ToString() => $"{Name}: {RelativeError:G2}";
}

/// <summary>What the self-check measured: every case, and whether all stayed within the tolerance.</summary>
/// <param name="Passed">Every case of libtorch's default path stayed within the tolerance.</param>
public sealed record KernelCheckResult(bool Ran, bool Passed, double Tolerance, double Milliseconds,
    IReadOnlyList<KernelCheckCase> Cases)
{
    /// <summary>The default path's case furthest off.</summary>
    public KernelCheckCase? Worst => Cases.Where(c => !c.Recurrent)
        .MaxBy(c => double.IsNaN(c.RelativeError) ? double.MaxValue : c.RelativeError);

    /// <summary>Every case of the recurrent-only path (<see cref="OneDnnUse.Recurrent"/>) stayed within the
    /// tolerance.</summary>
    public bool RecurrentPassed =>
        Cases.Any(c => c.Recurrent) && Cases.Where(c => c.Recurrent).All(c => c.Passed(Tolerance));

    public static KernelCheckResult NotRun => new(false, true, KernelSelfCheck.Tolerance, 0, []);
}

/// <summary>
/// Measures libtorch's default float32 kernels on the shapes seen to go wrong, against float64 copies of the same
/// layers (float64 never runs on oneDNN). Why it exists: on some AVX-512 CPUs (seen: AMD EPYC family 26, Zen 5,
/// with avx512_vp2intersect) oneDNN returns silently wrong numbers — a bidirectional LSTM without gradients 60–100 %
/// of its output scale off at hidden 8, and a small CNN's gradients NaN — while other CPUs are exact.
/// Takes a few milliseconds and leaves torch's random generator as it found it, so seeded runs are unchanged.
/// </summary>
public static class KernelSelfCheck
{
    /// <summary>Relative to the largest reference magnitude; float32 rounding stays near 1e-6 on these cases.</summary>
    public const double Tolerance = 1e-4;

    /// <param name="recurrentPath">Also measure the path <see cref="OneDnnUse.Recurrent"/> runs: always when true,
    /// and otherwise only when the default path fails (a CPU that passes needs no fallback and skips its cost).</param>
    public static KernelCheckResult Run(bool recurrentPath = false)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var cases = new List<KernelCheckCase>();
        var rngState = torch.random.get_rng_state();
        // One thread: these layers are too small to split, and on a busy machine idle pool threads only spin.
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            torch.random.manual_seed(20261130);
            foreach (var (gru, input, hidden, layers, batch) in RecurrentSizes)
                cases.Add(Recurrent(gru, input, hidden, layers, batch, steps: 25));
            cases.AddRange(SmallCnn([16, 16, 16, 24, 24, 24], batch: 4, gradients: true));
            cases.AddRange(SmallCnn([8, 8, 8, 12, 12, 12], batch: 5, gradients: false));
            if (recurrentPath || !cases.All(c => c.Passed(Tolerance)))
                foreach (var (gru, input, hidden, layers, batch) in RecurrentSizes)
                    cases.AddRange(RecurrentWithGradients(gru, input, hidden, layers, batch, steps: 25));
        }
        finally
        {
            torch.set_num_threads(threads);
            torch.random.set_rng_state(rngState);
            rngState.Dispose();
        }
        return new KernelCheckResult(true, cases.Where(c => !c.Recurrent).All(c => c.Passed(Tolerance)), Tolerance,
            started.Elapsed.TotalMilliseconds, cases);
    }

    // The sizes that failed on the affected CPU (small, so the check stays cheap; the tests cover every size).
    private static readonly (bool Gru, int Input, int Hidden, int Layers, int Batch)[] RecurrentSizes =
    [
        (false, 16, 8, 1, 3), (false, 8, 4, 1, 1), (false, 16, 16, 2, 3), (false, 16, 48, 1, 3), (true, 16, 8, 1, 3),
    ];

    /// <summary>A bidirectional LSTM or GRU in eval mode without gradients: libtorch's default path for eval,
    /// predict and the engines.</summary>
    public static KernelCheckCase Recurrent(bool gru, int input, int hidden, int layers, int batch, int steps)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (single, reference) = RecurrentPair(gru, input, hidden, layers, bidirectional: true);
        var x = randn(batch, steps, input);
        string label = RecurrentLabel(gru, input, hidden, layers, batch);
        return new KernelCheckCase(label,
            RelativeError(RecurrentKernels.Output(single, x), RecurrentKernels.Output(reference, x.to(float64))));
    }

    /// <summary>
    /// The path <see cref="OneDnnUse.Recurrent"/> runs (<see cref="RecurrentKernels"/>), whatever the policy: the
    /// layer's output in eval mode as eval and the engines get it, and in training mode its output and the gradients
    /// of its weights and input after a backward pass outside oneDNN, as a training step gets them.
    /// </summary>
    public static IEnumerable<KernelCheckCase> RecurrentWithGradients(bool gru, int input, int hidden, int layers,
        int batch, int steps)
    {
        using var scope = NewDisposeScope();
        var (single, reference) = RecurrentPair(gru, input, hidden, layers, bidirectional: true);
        var x = randn(batch, steps, input);
        string label = RecurrentLabel(gru, input, hidden, layers, batch) + " on oneDNN with gradients";
        var expected = RecurrentKernels.Output(reference, x.to(float64)).detach();
        using (no_grad())
            yield return new(label + ", eval", RelativeError(RecurrentKernels.OnOneDnnWithGradients(single, x),
                expected), Recurrent: true);

        single.train();
        reference.train();
        var xSingle = x.clone().requires_grad_(true);
        var xReference = x.to(float64).requires_grad_(true);
        var output = RecurrentKernels.OnOneDnnWithGradients(single, xSingle);
        var referenceOutput = RecurrentKernels.Output(reference, xReference);
        double worst = RelativeError(output, referenceOutput);
        output.square().sum().backward();
        referenceOutput.square().sum().backward();
        worst = Worse(worst, RelativeError(xSingle.grad!, xReference.grad!));
        foreach (var (name, p) in single.named_parameters())
            worst = Worse(worst, RelativeError(p.grad!, reference.get_parameter(name)!.grad!));
        yield return new(label + ", training gradients", worst, Recurrent: true);
    }

    private static string RecurrentLabel(bool gru, int input, int hidden, int layers, int batch) =>
        $"{(gru ? "GRU" : "LSTM")} {input}→{hidden}{(layers > 1 ? $"×{layers}" : "")} batch {batch}";

    private static double Worse(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    /// <summary>A float32 LSTM or GRU (batch first) and a float64 copy of its weights, both in eval mode.</summary>
    internal static (nn.Module Single, nn.Module Reference) RecurrentPair(bool gru, int input, int hidden, int layers,
        bool bidirectional)
    {
        nn.Module Build() => gru
            ? nn.GRU(input, hidden, layers, batchFirst: true, bidirectional: bidirectional)
            : nn.LSTM(input, hidden, layers, batchFirst: true, bidirectional: bidirectional);
        var single = Build();
        var reference = Build();
        reference.to(float64);
        using (no_grad())
        {
            foreach (var (name, p) in single.named_parameters())
                reference.get_parameter(name)!.copy_(p.to(float64));
        }
        single.eval();
        reference.eval();
        return (single, reference);
    }

    /// <summary>
    /// A float64 copy of a model (weights and floating-point buffers such as BatchNorm statistics), in eval mode:
    /// the reference its float32 outputs are measured against.
    /// </summary>
    internal static TrainedModel Float64Copy(TrainedModel model)
    {
        var defaultType = get_default_dtype();
        set_default_dtype(float64);
        TrainedModel copy;
        try { copy = TrainedModel.Create(model.Module.Config, model.Charset, model.Manifest.Preprocess); }
        finally { set_default_dtype(defaultType); }
        using (no_grad())
        {
            foreach (var (name, p) in model.Module.named_parameters())
                copy.Module.get_parameter(name)!.copy_(p.to(float64));
            foreach (var (name, b) in model.Module.named_buffers())
                if (b.is_floating_point()) copy.Module.get_buffer(name)!.copy_(b.to(float64));
        }
        copy.Module.eval();
        return copy;
    }

    /// <summary>
    /// The plain character CNN at 24×24: its forward in eval mode and, optionally, its weight gradients in training
    /// mode. With 16/24 filters its training collapsed to chance on the affected CPU; with 8/12 filters at batch 5
    /// its forward was 10 % off even with oneDNN capped at AVX2.
    /// </summary>
    public static IEnumerable<KernelCheckCase> SmallCnn(int[] filters, int batch, bool gradients)
    {
        using var scope = NewDisposeScope();
        var config = ModelRegistry.Create("chars74k-cnn",
            ModelRegistry.ParseOverrides(["height=24", "width=24", $"filters={string.Join(',', filters)}"]));
        var charset = new Charset(Enumerable.Range(0, 10).Select(d => $"{d}"), hasBlank: false);
        var spec = new PreprocessSpec(24, 24);
        using var single = TrainedModel.Create(config, charset, spec);
        using var reference = Float64Copy(single);

        var x = randn(batch, 1, 24, 24);
        single.Module.eval();
        reference.Module.eval();
        double forward;
        using (no_grad()) forward = RelativeError(single.Module.forward(x), reference.Module.forward(x.to(float64)));
        string label = $"CNN 24×24 filters {filters[0]}–{filters[^1]} batch {batch}";
        yield return new KernelCheckCase($"{label} eval forward", forward);
        if (!gradients) yield break;

        single.Module.train();
        reference.Module.train();
        single.Module.forward(x).square().sum().backward();
        reference.Module.forward(x.to(float64)).square().sum().backward();
        double worst = 0;
        foreach (var (name, p) in single.Module.named_parameters())
        {
            worst = Worse(worst, RelativeError(p.grad!, reference.Module.get_parameter(name)!.grad!));
            if (double.IsNaN(worst)) break;
        }
        yield return new KernelCheckCase($"{label} training gradients", worst);
    }

    /// <summary>Largest absolute difference, relative to the reference's largest magnitude; NaN stays NaN.</summary>
    internal static double RelativeError(Tensor actual, Tensor expected)
    {
        double scale = Math.Max(expected.abs().max().item<double>(), 1e-12);
        return (actual.to(float64) - expected).abs().max().item<double>() / scale;
    }
}
