using OcrForge.Evaluation;
using OcrForge.Inference;
using OcrForge.Tests.Export;

namespace OcrForge.Tests.Evaluation;

/// <summary>Serial: building the tiny models draws from torch's process-wide generator.</summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class InferenceBenchmarkTests
{
    [Fact]
    public void Engine_all_measures_an_ocrf_on_both_engines_at_every_batch_size()
    {
        using var dir = new TempDir();
        using (var model = TinyModels.Create("bilstm-dense")) model.Save(dir.File("m.ocrf"));

        var results = InferenceBenchmark.Run(new InferenceBenchRequest
        {
            Models = [dir.File("m.ocrf")], Data = TestData.Captchas, Engine = "all", BatchSizes = [1, 4],
            ThreadCounts = [1], MinSeconds = 0.01,
        }).Results;

        Assert.Equal(4, results.Count);
        Assert.Equal(2, results.Select(r => r.Engine).Distinct().Count());
        Assert.Equal([1, 4, 1, 4], results.Select(r => r.Batch));
        Assert.All(results, r => Assert.True(r.ImagesPerSecond > 0 && r.P50Ms <= r.P99Ms, r.ToString()));
    }

    [Fact]
    public void Models_of_another_input_size_are_refused_not_measured_on_different_work()
    {
        using var dir = new TempDir();
        using (var model = TinyModels.Create("bilstm-dense")) model.Save(dir.File("a.ocrf"));
        using (var model = TinyModels.Create("bigru-bn")) model.Save(dir.File("b.ocrf"));

        var error = Assert.Throws<OcrForgeException>(() => InferenceBenchmark.Run(new InferenceBenchRequest
        {
            Models = [dir.File("a.ocrf"), dir.File("b.ocrf")], Data = TestData.Captchas, BatchSizes = [1],
            ThreadCounts = [1], MinSeconds = 0.01,
        }));

        Assert.Equal($"{dir.File("b.ocrf")}: input 32x32 differs from {dir.File("a.ocrf")}; bench models of one input size together",
            error.Message);
    }
}
