using OcrForge.Data;
using OcrForge.Evaluation;
using OcrForge.Inference;
using OcrForge.Tests.Training;

namespace OcrForge.Tests.Evaluation;

/// <summary>The library's CTC evaluation, on the tiny model that reads its own 32 images exactly.</summary>
[Collection(nameof(ConsoleCollection))]
public class TextEvaluationTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public void A_model_that_reads_every_line_has_no_mistakes()
    {
        using var recognizer = TextRecognizer.Load(tiny.ModelPath, threads: 1);

        var result = TextEvaluation.Run(recognizer, DatasetReader.Read(tiny.Images.Path));

        Assert.Equal(32, result.Metrics.Samples);
        Assert.Equal(1.0, result.Metrics.SequenceAccuracy);
        Assert.Empty(result.Mistakes);
        Assert.Equal("", result.UnknownSymbols);
        Assert.True(result.ImagesPerSecond > 0);
    }

    [Fact]
    public void Wrong_labels_become_mistakes_the_first_ten_kept_and_symbols_the_model_lacks_are_named()
    {
        // Given the same images relabelled with a symbol the model cannot write, plus one unreadable file
        using var dir = new TempDir();
        var files = Directory.GetFiles(tiny.Images.Path).Order().ToList();
        for (int i = 0; i < 12; i++) File.Copy(files[i], dir.File($"z{i:D2}.png"));
        File.WriteAllText(dir.File("zz.png"), "not a png");
        using var recognizer = TextRecognizer.Load(tiny.ModelPath, threads: 1);

        var result = TextEvaluation.Run(recognizer, DatasetReader.Read(dir.Path));

        Assert.Equal(12, result.Metrics.Samples);
        Assert.Equal(0.0, result.Metrics.SequenceAccuracy);
        Assert.Equal(TextEvaluation.MistakesKept, result.Mistakes.Count);
        Assert.Equal(dir.File("z00.png"), result.Mistakes[0].Path);
        Assert.Equal("z00", result.Mistakes[0].Expected);
        Assert.Equal("z0123456789", result.UnknownSymbols);
        Assert.Equal(dir.File("zz.png"), Assert.Single(result.Problems).Path);
    }
}
