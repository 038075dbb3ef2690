using System.Text.Json;
using OcrForge.Cli.Commands;
using OcrForge.Inference;
using OcrForge.Data;
using OcrForge.IO;
using OcrForge.Runtime;
using OcrForge.Training;

namespace OcrForge.Tests.Training;

/// <summary>
/// A tiny CTC model trained once for this class (a few seconds), saved as .ocrf, plus its images as PNG files named
/// by their label, so the commands can be run as a user would.
/// </summary>
public sealed class TinyModelFixture : IDisposable
{
    public TinyModelFixture()
    {
        var samples = TinyText.Make(32, 1);
        foreach (var s in samples) ImageWriter.WritePng(s.Image, Path.Combine(Images.Path, $"{s.Label}__{Path.GetFileNameWithoutExtension(s.Path)[4..]}.png"));
        TorchRuntime.Seed(3);
        using var model = TrainedModel.Create(TinyText.Model, TinyText.Charset, CtcTraining.Standardize(samples, TinyText.Model));
        var (task, resources) = TinyText.Task(model.Module, samples, samples);
        using (resources)
        {
            using var done = new CancellationTokenSource();
            var progress = new SyncProgress(p => { if (p.Finished?.Metrics["sequence_accuracy"] == 1.0) done.Cancel(); });
            var options = new TrainingOptions { RunDirectory = Run.Path, Epochs = 80, BatchSize = 8, LearningRate = 1e-2, Patience = 0, Seed = 3, Threads = 1 };
            try { new Trainer(options, progress).Fit(task, done.Token); } catch (OperationCanceledException) { }
        }
        model.Module.eval();
        model.Save(ModelPath);
        Samples = samples;
    }

    public TempDir Images { get; } = new();
    public TempDir Run { get; } = new();
    public string ModelPath => Run.File("tiny.ocrf");
    public IReadOnlyList<Sample> Samples { get; }

    public void Dispose()
    {
        Images.Dispose();
        Run.Dispose();
    }
}

/// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool and race the assertions).</summary>
public sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => action(value);
}

/// <summary>Runs the CLI in-process with stdout and stderr captured (these tests share the console, so they run one at a time).</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

[Collection(nameof(ConsoleCollection))]
public class CtcCommandsTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    internal static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var root = new System.CommandLine.RootCommand();
        foreach (var c in CommandCatalog.All()) root.Subcommands.Add(c);
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int exit = root.Parse(args).Invoke();
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public void Eval_json_has_the_documented_fields_and_agrees_with_predict()
    {
        var (exit, stdout, _) = Run("eval", "--model", tiny.ModelPath, "--data", tiny.Images.Path, "--json", "--threads", "1");
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        var r = json.RootElement;
        Assert.Equal(32, r.GetProperty("samples").GetInt32());
        foreach (var name in new[] { "sequence_accuracy", "character_accuracy", "cer", "images_per_second" })
            Assert.True(r.GetProperty(name).GetDouble() >= 0, name);
        Assert.True(r.GetProperty("images_per_second").GetDouble() > 0);

        // The same model read by predict: its share of exact lines is eval's sequence accuracy.
        var (pexit, lines, _) = Run(["predict", "--model", tiny.ModelPath, tiny.Images.Path, "--threads", "1"]);
        Assert.Equal(0, pexit);
        var rows = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(32, rows.Length);
        double exact = rows.Count(row => row.Split('\t') is var f && DatasetReader.FilenameLabel(f[0]) == f[1]) / 32.0;
        Assert.Equal(r.GetProperty("sequence_accuracy").GetDouble(), exact, 9);
    }

    [Fact]
    public void Predict_prints_path_tab_text_tab_confidence_per_image()
    {
        var files = Directory.GetFiles(tiny.Images.Path).Order().Take(3).ToArray();
        var (exit, stdout, _) = Run(["predict", "--model", tiny.ModelPath, .. files, "--beam", "4", "--threads", "1"]);
        Assert.Equal(0, exit);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length);
        for (int i = 0; i < 3; i++)
        {
            var fields = rows[i].Split('\t');
            Assert.Equal(3, fields.Length);
            Assert.Equal(files[i], fields[0]);
            Assert.All(fields[1], c => Assert.Contains(c, TinyText.Symbols));
            double confidence = double.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(confidence, 0, 1);
        }
    }

    [Fact]
    public void Predict_names_an_unreadable_image_skips_it_and_reads_the_others()
    {
        var files = Directory.GetFiles(tiny.Images.Path).Order().Take(2).ToArray();
        var broken = tiny.Run.File("broken.png");
        File.WriteAllText(broken, "not a png");
        var (exit, stdout, stderr) = Run(["predict", "--model", tiny.ModelPath, files[0], broken, files[1],
            "--threads", "1"]);
        Assert.Equal(0, exit);
        Assert.Equal([files[0], files[1]], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t')[0]));
        Assert.Equal($"warning: {broken}: not a readable image (unsupported format); skipped", stderr.TrimEnd());

        (exit, stdout, stderr) = Run("predict", "--model", tiny.ModelPath, broken);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"error: {broken}: not a readable image (unsupported format)", stderr.TrimEnd());
    }

    [Fact]
    public void Options_for_classifiers_are_refused_on_a_text_model()
    {
        var image = Directory.GetFiles(tiny.Images.Path)[0];
        var (exit, stdout, stderr) = Run("predict", "--model", tiny.ModelPath, "--top", "3", image);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"error: --top: applies to character classifiers only, and {tiny.ModelPath} is not one", stderr.TrimEnd());

        (exit, _, stderr) = Run("eval", "--model", tiny.ModelPath, "--data", tiny.Images.Path, "--split", "test");
        Assert.Equal(2, exit);
        Assert.Equal($"error: --split: applies to character classifiers only, and {tiny.ModelPath} is not one", stderr.TrimEnd());
    }

    [Fact]
    public void Bad_model_path_is_a_one_line_error_with_exit_code_2()
    {
        var (exit, stdout, stderr) = Run("predict", "--model", "/nonexistent/m.ocrf", Directory.GetFiles(tiny.Images.Path)[0]);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal("error: /nonexistent/m.ocrf: no such model file", stderr.TrimEnd());

        var notAModel = tiny.Run.File("junk.ocrf");
        File.WriteAllText(notAModel, "not a zip");
        (exit, _, stderr) = Run("eval", "--model", notAModel, "--data", tiny.Images.Path);
        Assert.Equal(2, exit);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains("not an OcrForge model file", stderr);
    }

    [Fact]
    public void TextRecognizer_Load_reads_an_ocrf_model_like_the_training_code_does()
    {
        using var recognizer = TextRecognizer.Load(tiny.ModelPath);
        var read = tiny.Samples.Select(s => recognizer.Predict(s.Image).Text).ToList();
        Assert.Equal(tiny.Samples.Select(s => s.Label), read);
        Assert.All(tiny.Samples.Take(3), s => Assert.InRange(recognizer.Predict(s.Image).Confidence, double.Epsilon, 1.0));
    }
}

[Collection(nameof(ConsoleCollection))]
public class BenchTrainTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public void Bench_train_times_the_bare_loop_and_the_pipeline_on_the_same_images()
    {
        using var run = new TempDir();
        var r = TrainingBenchmark.Run(tiny.Images.Path, "captcha-crnn", OcrForge.Models.ModelRegistry.ParseOverrides(["height=16", "width=64", "rnn_hidden=16", "filters=8,8,8"]),
            batchSize: 8, threads: 1, run.Path);
        Assert.Equal(32, r.Images);
        Assert.True(r.BareImagesPerSecond > 0 && r.PipelineStepImagesPerSecond > 0 && r.PipelineEpochImagesPerSecond > 0);
        // The whole epoch adds validation and a checkpoint to the same training steps, so it can only be slower.
        Assert.True(r.PipelineEpochImagesPerSecond < r.PipelineStepImagesPerSecond);
    }
}
