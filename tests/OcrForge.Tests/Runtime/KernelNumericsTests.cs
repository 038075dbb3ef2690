using OcrForge.Engines;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Tests.Runtime;

/// <summary>
/// Why these exist: on some x86-64 CPUs libtorch's oneDNN kernels return silently wrong numbers (a bidirectional
/// LSTM 16→8 without gradients was 60–100 % of its output scale off on an AMD EPYC, Zen 5), and the same code is
/// exact on other CPUs. So every recurrent size a model or a tuner may choose is measured here, in float32 through
/// the path eval, predict and the TorchSharp engine take (kernel policy applied, eval mode, no gradients), against
/// a float64 copy, which libtorch never runs on oneDNN. On a CPU like that one, these fail without the policy.
/// </summary>
public class KernelNumericsTests
{
    private const double Tolerance = 1e-4; // relative to the output's largest magnitude

    public static TheoryData<bool, bool, int> Layers()
    {
        var data = new TheoryData<bool, bool, int>();
        foreach (bool gru in new[] { false, true })
            foreach (bool bidirectional in new[] { false, true })
                foreach (int hidden in new[] { 4, 8, 16, 24, 32, 48, 64, 128, 256 })
                    data.Add(gru, bidirectional, hidden);
        return data;
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Recurrent_layers_match_float64_at_every_size_and_batch(bool gru, bool bidirectional, int hidden)
    {
        TorchRuntime.ChooseKernels();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (single, reference) = KernelSelfCheck.RecurrentPair(gru, input: 16, hidden, layers: 1, bidirectional);
        foreach (int batch in new[] { 1, 3, 16 })
        {
            var x = randn(batch, 25, 16);
            double error = KernelSelfCheck.RelativeError(RecurrentKernels.Forward(single, x),
                RecurrentKernels.Output(reference, x.to(float64)));
            Assert.True(error <= Tolerance,
                $"{(gru ? "GRU" : "LSTM")} 16→{hidden} bidirectional={bidirectional} batch {batch}: relative error " +
                $"{error:G3} (oneDNN {KernelPolicy.Use}: {KernelPolicy.Reason})");
        }
    }

    [Theory]
    [InlineData(false, 4)]
    [InlineData(false, 8)]
    [InlineData(true, 8)]
    [InlineData(false, 48)]
    [InlineData(false, 128)]
    public void Training_steps_through_the_chosen_kernels_match_float64_gradients(bool gru, int hidden)
    {
        // A CRNN small enough to hit the recurrent sizes found wrong, in training mode, through Crnn.forward and the
        // trainer's backward: the path a training step takes under every policy.
        var config = ModelRegistry.Create("captcha-crnn", ModelRegistry.ParseOverrides(
            ["width=64", "height=32", "filters=8,8,8", $"rnn_hidden={hidden},{hidden}", $"rnn={(gru ? "gru" : "lstm")}",
             "dropout=0", "rnn_dropout=0"]));
        var charset = new Charset("abcdefghij".Select(c => c.ToString()), hasBlank: true);
        using var model = TrainedModel.Create(config, charset, new PreprocessSpec(64, 32));
        using var reference = KernelSelfCheck.Float64Copy(model);
        model.Module.train();
        reference.Module.train();

        using var scope = NewDisposeScope();
        var x = randn(3, 1, 32, 64);
        var output = model.Module.forward(x);
        var expected = reference.Module.forward(x.to(float64));
        double worst = KernelSelfCheck.RelativeError(output, expected);
        KernelGate.Backward(output.square().sum());
        expected.square().sum().backward();
        foreach (var (name, p) in model.Module.named_parameters())
            worst = Math.Max(worst, KernelSelfCheck.RelativeError(p.grad!, reference.Module.get_parameter(name)!.grad!));
        Assert.True(worst <= Tolerance, $"{(gru ? "GRU" : "LSTM")} {hidden}: relative error {worst:G3} " +
            $"(oneDNN {KernelPolicy.Use}: {KernelPolicy.Reason})");
    }

    [Fact]
    public async Task The_gate_lets_one_thread_at_a_time_run_model_work()
    {
        using var entered = new ManualResetEventSlim();
        var held = new KernelGate.Scope(take: true);
        var other = Task.Run(() =>
        {
            using var scope = new KernelGate.Scope(take: true);
            entered.Set();
        });
        Assert.False(entered.Wait(200), "a second thread entered while the gate was held");
        held.Dispose();
        Assert.True(entered.Wait(10_000));
        await other;
    }

    [Theory]
    [InlineData(128)]
    [InlineData(64)]
    [InlineData(32)]
    [InlineData(16)]
    [InlineData(8)]
    public void The_torch_engine_matches_float64_on_captcha_shaped_crnns(int hidden)
    {
        // 32 px high after three 2× pools and 128 filters: 512 features per frame; 200 px wide: 50 frames.
        var config = ModelRegistry.Create("captcha-crnn",
            ModelRegistry.ParseOverrides(["width=200", $"rnn_hidden={hidden}"]));
        var charset = new Charset("abcdefghij".Select(c => c.ToString()), hasBlank: true);
        var spec = new PreprocessSpec(200, 32);
        using var model = TrainedModel.Create(config, charset, spec);
        using var reference = KernelSelfCheck.Float64Copy(model);
        using var engine = new TorchEngine(model);

        var input = new float[3 * 32 * 200];
        var rng = new Random(3);
        for (int i = 0; i < input.Length; i++) input[i] = (float)rng.NextDouble() * 2 - 1;
        var output = engine.Run(input, 3);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var expected = reference.Module.forward(tensor(input, [3, 1, 32, 200]).to(float64));
        var actual = tensor(output.Data, output.Shape.Select(d => (long)d).ToArray());
        double error = KernelSelfCheck.RelativeError(actual, expected);
        Assert.True(error <= Tolerance, $"captcha CRNN, BiLSTM 512→{hidden}, 50 frames: relative error {error:G3}");
    }

    [Fact]
    public void Both_engines_match_float64_on_the_strided_words_fast_crnn()
    {
        // The words-fast preset at its own sizes (two stride-2 convolutions); a padded batch of a short and a long
        // word (60 and 120 px at 32 px high: 15 and 30 frames).
        var config = (CrnnConfig)ModelRegistry.Create("words-fast");
        var charset = new Charset("abcdefghij".Select(c => c.ToString()), hasBlank: true);
        TorchRuntime.Seed(5);
        using var model = TrainedModel.Create(config, charset, config.Input);
        using var reference = KernelSelfCheck.Float64Copy(model);
        using var torchEngine = new TorchEngine(model);
        using var dir = new TempDir();
        using var onnxEngine = new OnnxEngine(OcrForge.Tests.Export.TinyModels.ExportTo(dir, model), threads: 1);

        var rng = new Random(4);
        var images = new[] { 60, 120 }.Select(w => new GrayImage(w, 32,
            Enumerable.Range(0, w * 32).Select(_ => (byte)rng.Next(256)).ToArray())).ToList();
        var input = Batch.Prepare(images, config.Input);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var expected = reference.Module.forward(tensor(input.Data, [2, 1, 32, input.Width]).to(float64));
        foreach (var engine in new IOcrEngine[] { torchEngine, onnxEngine })
        {
            var output = engine.Run(input);
            Assert.Equal([15, 30], output.Frames!);
            var actual = tensor(output.Data, output.Shape.Select(d => (long)d).ToArray());
            double error = KernelSelfCheck.RelativeError(actual, expected);
            Assert.True(error <= Tolerance, $"{engine.Name}: words-fast CRNN: relative error {error:G3}");
        }
    }

    [Fact]
    public void The_self_check_passes_wherever_the_chosen_kernels_run()
    {
        TorchRuntime.ChooseKernels();
        // Whatever the CPU: either oneDNN passed the check, or it was switched off (or forced either way).
        if (KernelPolicy.SelfCheck.Ran && !KernelPolicy.SelfCheck.Passed)
            Assert.False(KernelPolicy.OneDnn, KernelPolicy.Reason);
        if (KernelPolicy.Use == OneDnnUse.Recurrent) Assert.True(KernelPolicy.SelfCheck.RecurrentPassed);
        // And with the choice applied, the cases the self-check measures are exact.
        var recheck = KernelSelfCheck.Run(recurrentPath: KernelPolicy.Use == OneDnnUse.Recurrent);
        Assert.True(recheck.Passed, $"after the policy: {recheck.Worst} ({KernelPolicy.Reason})");
        if (KernelPolicy.Use == OneDnnUse.Recurrent)
            Assert.True(recheck.RecurrentPassed, string.Join("; ", recheck.Cases.Where(c => c.Recurrent)));
        Assert.True(recheck.Cases.Count(c => !c.Recurrent) >= 8);
        if (KernelPolicy.Use == OneDnnUse.Recurrent) Assert.True(recheck.Cases.Count(c => c.Recurrent) >= 10);
    }
}
