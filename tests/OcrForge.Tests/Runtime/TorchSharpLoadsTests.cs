using OcrForge.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Tests.Runtime;

/// <summary>Proves libtorch initialises on this machine (the GLIBCXX_3.4.32 build fix) and CTC works end to end.</summary>
public class TorchSharpLoadsTests
{
    [Fact]
    public void Tensors_and_ctc_loss_run_forward_and_backward()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        // Given random per-frame scores for T=20 frames, N=2 samples, C=5 classes (blank = 0)...
        var logits = randn(20, 2, 5, requires_grad: true);
        var logProbs = logits.log_softmax(2);
        var targets = tensor(new long[] { 1, 2, 3, 2, 4, 1 }).reshape(2, 3);
        var inputLengths = tensor(new long[] { 20, 20 });
        var targetLengths = tensor(new long[] { 3, 3 });

        // ...the CTC loss is finite and positive, and its gradient reaches the logits.
        var loss = nn.functional.ctc_loss(logProbs, targets, inputLengths, targetLengths, blank: 0, reduction: nn.Reduction.Mean);
        loss.backward();

        float value = loss.item<float>();
        Assert.True(float.IsFinite(value) && value > 0, $"loss {value}");
        Assert.NotNull(logits.grad);
        Assert.True(logits.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Build_marked_the_glibcxx_requirement_weak_only_where_needed()
    {
        // The test output folder holds the copy the build patched. Where the system libstdc++ already has the
        // version, nothing needed patching and loading simply works; otherwise the flag must be set.
        var lib = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(lib);
        bool systemHasVersion = File.Exists("/lib/x86_64-linux-gnu/libstdc++.so.6")
            && System.Text.Encoding.ASCII.GetString(File.ReadAllBytes("/lib/x86_64-linux-gnu/libstdc++.so.6")).Contains("GLIBCXX_3.4.32\0");
        foreach (var path in lib)
        {
            // binutils' readelf is an independent reader of the version-needs table.
            var psi = new System.Diagnostics.ProcessStartInfo("readelf", ["-V", "-W", path]) { RedirectStandardOutput = true };
            using var readelf = System.Diagnostics.Process.Start(psi)!;
            var line = readelf.StandardOutput.ReadToEnd().Split('\n').Single(l => l.Contains("Name: GLIBCXX_3.4.32"));
            readelf.WaitForExit();
            if (!systemHasVersion) Assert.Contains("Flags: WEAK", line);
        }
    }
}
