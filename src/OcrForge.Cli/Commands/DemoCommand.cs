using System.CommandLine;
using OcrForge.Compression.Pruning;
using OcrForge.Compression.Quantization;
using OcrForge.Data;
using OcrForge.Evaluation;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.IO;
using OcrForge.Reports;
using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>ocrforge demo</c>: the whole flow on data it makes itself, no download — synthesise captchas, train the default
/// recogniser, evaluate it on captchas it never saw, read a few, prune it, export the pruned model to ONNX, quantize it
/// to int8, and compare the four files side by side (size, accuracy, latency).
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var work = new Option<string?>("--work") { Description = "Folder for the synthetic data, model and logs (default: a new temporary folder)." };
        // 2,000: with 1,000 the default BiLSTM reaches only ≈ 80–88 % on unseen synthetic captchas (docs/RESULTS.md).
        var count = new Option<int>("--count") { Description = "Synthetic captchas to train on (validation is 10 % of them).", DefaultValueFactory = _ => 2000 };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 20 };
        var seed = SharedOptions.Seed("Seed for the data and the training.");
        var threads = SharedOptions.Threads("Torch threads (default: all cores).");
        var sparsity = new Option<double>("--sparsity") { Description = "Share of the weights pruning sets to zero.", DefaultValueFactory = _ => 0.5 };
        // 6: with 4 the pruned demo model lost 0.5–1 point on the unseen captchas; with 6 it matched the dense one (docs/results-prune.md).
        var pruneEpochs = new Option<int>("--prune-epochs") { Description = "Fine-tuning epochs while pruning.", DefaultValueFactory = _ => 6 };
        var command = new Command("demo", "Synthesise captchas, train, evaluate, read a few, prune, export to ONNX, quantize to int8 and compare: the whole flow in a few minutes.");
        foreach (var o in new Option[] { work, count, epochs, seed, threads, sparsity, pruneEpochs }) command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            int n = parse.GetValue(count), s = parse.GetValue(seed);
            if (n < 20) throw new OcrForgeException($"--count {n}: expected at least 20 images");
            var dir = parse.GetValue(work) ?? Path.Combine(Path.GetTempPath(), $"ocrforge-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            var trainDir = Path.Combine(dir, "train");
            var testDir = Path.Combine(dir, "test");
            var modelPath = Path.Combine(dir, "captcha.ocrf");

            AnsiConsole.MarkupLineInterpolated($"[bold]1. data[/]  {n} synthetic captchas to train on, {Math.Max(20, n / 5)} more to test on → {dir}");
            // Different seeds: the test captchas share nothing with the training ones but the generator.
            SyntheticData.WriteCaptchas(trainDir, n, s);
            SyntheticData.WriteCaptchas(testDir, Math.Max(20, n / 5), s + 1);

            AnsiConsole.MarkupLineInterpolated($"[bold]2. train[/] preset {CtcTraining.DefaultPreset}, {parse.GetValue(epochs)} epochs (ocrforge train ctc --data {trainDir} --out {modelPath})");
            var options = TrainCtcCommand.Recipe with
            {
                Epochs = parse.GetValue(epochs),
                Seed = s,
                Threads = parse.GetValue(threads),
                RunDirectory = TrainingOptions.RunDirectoryFor(modelPath),
            };
            var request = new CtcTrainingRequest { Data = trainDir, OutPath = modelPath, Options = options };
            var display = new TrainingDisplay(options.RunDirectory, "demo: synthetic captchas", "sequence_accuracy");
            using var cancel = new CancelOnCtrlC();
            var outcome = display.Run(() => CtcTraining.Run(request, display, cancel.Token));
            outcome.Model.Dispose();

            AnsiConsole.MarkupLineInterpolated($"[bold]3. evaluate[/] on the {Directory.GetFiles(testDir).Length} unseen test captchas (ocrforge eval --model {modelPath} --data {testDir})");
            using var recognizer = TextRecognizer.Load(modelPath, threads: parse.GetValue(threads));
            var evaluated = TextEvaluation.Run(recognizer, DatasetReader.Read(testDir), cancel.Token);
            var metrics = evaluated.Metrics;
            AnsiConsole.MarkupLineInterpolated(
                $"sequence accuracy {metrics.SequenceAccuracy:P1}, character accuracy {metrics.CharacterAccuracy:P1}, CER {metrics.Cer:0.###}, {evaluated.ImagesPerSecond:0} images/s");

            AnsiConsole.MarkupLineInterpolated($"[bold]4. predict[/] (ocrforge predict --model {modelPath} IMAGE…)");
            AnsiConsole.Write(DemoOutput.Predictions(recognizer, testDir, 8));

            var prunedPath = Path.Combine(dir, "captcha.pruned.ocrf");
            var prune = new PruneRequest
            {
                ModelPath = modelPath, Data = trainDir, OutPath = prunedPath,
                Sparsity = parse.GetValue(sparsity), Epochs = parse.GetValue(pruneEpochs), Threads = parse.GetValue(threads),
            };
            AnsiConsole.MarkupLineInterpolated(
                $"[bold]5. prune[/] {prune.Sparsity:P0} of every weight tensor, {prune.Epochs} fine-tuning epochs (ocrforge prune --model {modelPath} --data {trainDir} --sparsity {prune.Sparsity} --epochs {prune.Epochs} --out {prunedPath})");
            var pruneDisplay = new TrainingDisplay(TrainingOptions.RunDirectoryFor(prunedPath), "demo: pruning", "sequence_accuracy");
            var pruned = pruneDisplay.Run(() => Pruning.Run(prune, pruneDisplay, cancel.Token));
            pruned.Model.Dispose();
            AnsiConsole.MarkupLineInterpolated(
                $"{MagnitudePruner.Overall(pruned.Layers):P1} of the weights are zero; validation sequence accuracy {pruned.Before:P1} → {pruned.After:P1}");

            var onnxPath = Path.Combine(dir, "captcha.onnx");
            var int8Path = Path.Combine(dir, "captcha.int8.onnx");
            AnsiConsole.MarkupLineInterpolated($"[bold]6. export[/] the pruned model (ocrforge export --model {prunedPath} --out {onnxPath})");
            using (var trained = TrainedModel.Load(prunedPath))
            {
                OnnxWriter.Save(onnxPath, OnnxExporter.Export(trained));
                AnsiConsole.MarkupLineInterpolated($"[bold]7. quantize[/] the pruned model (ocrforge quantize --model {prunedPath} --data {trainDir} --per-channel --out {int8Path})");
                var calibration = Int8Quantizer.CalibrationImages(DatasetReader.Read(trainDir), trained.Manifest.Preprocess, s);
                OnnxWriter.Save(int8Path, Int8Quantizer.Quantize(trained, calibration, new QuantizationOptions { PerChannel = true }).Model);
            }

            var reportDir = Path.Combine(dir, "compare");
            var compareCommand = $"ocrforge compare --model {modelPath} {prunedPath} {onnxPath} {int8Path} " +
                $"--data {testDir} --out {reportDir}";
            const string how = "on the unseen test captchas, .ocrf in TorchSharp, .onnx in ONNX Runtime";
            AnsiConsole.MarkupLineInterpolated($"[bold]8. compare[/] {how} ({compareCommand})");
            var compared = ModelComparison.Run(new ComparisonRequest
            {
                Models = [modelPath, prunedPath, onnxPath, int8Path], Data = testDir, Threads = parse.GetValue(threads),
            }, cancellationToken: cancel.Token);
            ComparisonReport.Write(compared, reportDir);
            AnsiConsole.Write(DemoOutput.Comparison(compared));
            var charts = ComparisonCharts.Save(compared, reportDir).Select(Path.GetFileName);
            var markdown = Path.Combine(reportDir, ComparisonReport.MarkdownFile);
            AnsiConsole.MarkupLineInterpolated($"report: {markdown} (full table), {string.Join(", ", charts)}");
            AnsiConsole.MarkupLineInterpolated($"models: {dir}  curves: {Path.Combine(options.RunDirectory, "curves.png")}");
            return Cli.Ok;
        }));
        return command;
    }
}
