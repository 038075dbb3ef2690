using System.CommandLine;
using OcrForge.Data;
using OcrForge.Evaluation;
using OcrForge.Inference;
using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>ocrforge demo</c>: the whole flow on data it makes itself, no download — synthesise captchas, train the default
/// recogniser, evaluate it on captchas it never saw, read a few, then (<see cref="DemoCompression"/>) prune it, export
/// the pruned model to ONNX, quantize it to int8, and compare the four files side by side (size, accuracy, latency).
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var work = new Option<string?>("--work")
        {
            Description = "Folder for the synthetic data, model and logs (default: a new temporary folder).",
        };
        // 2,000: with 1,000 the default BiLSTM reaches only ≈ 80–88 % on unseen synthetic captchas (docs/RESULTS.md).
        var count = new Option<int>("--count")
        {
            Description = "Synthetic captchas to train on (validation is 10 % of them).",
            DefaultValueFactory = _ => 2000,
        };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 20 };
        var seed = SharedOptions.Seed("Seed for the data and the training.");
        var threads = SharedOptions.Threads("Torch threads (default: all cores).");
        var sparsity = new Option<double>("--sparsity")
        {
            Description = "Share of the weights pruning sets to zero.", DefaultValueFactory = _ => 0.5,
        };
        // 6: with 4 the pruned demo model lost 0.5–1 point on the unseen captchas; with 6 it matched the dense one
        // (docs/results-prune.md).
        var pruneEpochs = new Option<int>("--prune-epochs")
        {
            Description = "Fine-tuning epochs while pruning.", DefaultValueFactory = _ => 6,
        };
        var command = new Command("demo", "Synthesise captchas, train, evaluate, read a few, prune, export to ONNX, "
            + "quantize to int8 and compare: the whole flow in a few minutes.");
        foreach (var o in new Option[] { work, count, epochs, seed, threads, sparsity, pruneEpochs })
            command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            int n = parse.GetValue(count), s = parse.GetValue(seed), testCount = Math.Max(20, n / 5);
            int? threadCount = parse.GetValue(threads);
            if (n < 20) throw new OcrForgeException($"--count {n}: expected at least 20 images");
            var dir = parse.GetValue(work)
                ?? Path.Combine(Path.GetTempPath(), $"ocrforge-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            var (trainDir, testDir) = (Path.Combine(dir, "train"), Path.Combine(dir, "test"));
            var modelPath = Path.Combine(dir, "captcha.ocrf");

            Step("1. data", $" {n} synthetic captchas to train on, {testCount} more to test on → {dir}");
            // Different seeds: the test captchas share nothing with the training ones but the generator.
            SyntheticData.WriteCaptchas(trainDir, n, s);
            SyntheticData.WriteCaptchas(testDir, testCount, s + 1);

            Step("2. train", $"preset {CtcTraining.DefaultPreset}, {parse.GetValue(epochs)} epochs "
                + $"(ocrforge train ctc --data {trainDir} --out {modelPath})");
            var options = CtcTraining.Recipe with
            {
                Epochs = parse.GetValue(epochs),
                Seed = s,
                Threads = threadCount,
                RunDirectory = TrainingOptions.RunDirectoryFor(modelPath),
            };
            var request = new CtcTrainingRequest { Data = trainDir, OutPath = modelPath, Options = options };
            var display = new TrainingDisplay(options.RunDirectory, "demo: synthetic captchas",
                TrainingDisplay.AccuracyName(Models.ModelTask.TextRecognition));
            using var cancel = new CancelOnCtrlC();
            var outcome = display.Run(() => CtcTraining.Run(request, display, cancel.Token));
            outcome.Model.Dispose();
            Cli.WarnSkipped(outcome.Problems);

            Step("3. evaluate", $"on the {testCount} unseen test captchas "
                + $"(ocrforge eval --model {modelPath} --data {testDir})");
            using var recognizer = TextRecognizer.Load(modelPath, threads: threadCount);
            var evaluated = TextEvaluation.Run(recognizer, DatasetReader.Read(testDir), cancel.Token);
            Cli.WarnSkipped(evaluated.Problems);
            var m = evaluated.Metrics;
            AnsiConsole.WriteLine($"sequence accuracy {m.SequenceAccuracy:P1}, character accuracy "
                + $"{m.CharacterAccuracy:P1}, CER {m.Cer:0.###}, {evaluated.ImagesPerSecond:0} images/s");

            Step("4. predict", $"(ocrforge predict --model {modelPath} IMAGE…)");
            AnsiConsole.Write(DemoOutput.Predictions(recognizer, testDir, 8));

            DemoCompression.Run(dir, trainDir, testDir, modelPath, parse.GetValue(sparsity),
                parse.GetValue(pruneEpochs), s, threadCount, cancel.Token);
            AnsiConsole.WriteLine($"models: {dir}  curves: {Reports.TrainingReports.CurvesPath(options.RunDirectory)}");
            return Cli.Ok;
        }));
        return command;
    }

    /// <summary>A numbered step in bold, then what it does (paths and all, printed as they are).</summary>
    internal static void Step(string heading, string what) =>
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(heading)}[/] {Markup.Escape(what)}");
}
