using OcrForge.Compression.Pruning;
using OcrForge.Compression.Quantization;
using OcrForge.Data;
using OcrForge.Evaluation;
using OcrForge.Export;
using OcrForge.IO;
using OcrForge.Reports;
using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>
/// The second half of <c>ocrforge demo</c>: prune the trained model, export the pruned one to ONNX, quantize it to
/// int8, and compare the four files on the unseen test captchas.
/// </summary>
public static class DemoCompression
{
    public static void Run(string dir, string trainDir, string testDir, string modelPath, double sparsity, int epochs,
        int seed, int? threads, CancellationToken cancellationToken)
    {
        var prunedPath = Path.Combine(dir, "captcha.pruned.ocrf");
        var prune = new PruneRequest
        {
            ModelPath = modelPath, Data = trainDir, OutPath = prunedPath, Sparsity = sparsity, Epochs = epochs,
            Threads = threads,
        };
        DemoCommand.Step("5. prune", $"{prune.Sparsity:P0} of every weight tensor, {prune.Epochs} fine-tuning epochs "
            + $"(ocrforge prune --model {modelPath} --data {trainDir} --sparsity {prune.Sparsity} "
            + $"--epochs {prune.Epochs} --out {prunedPath})");
        var display = new TrainingDisplay(TrainingOptions.RunDirectoryFor(prunedPath), "demo: pruning",
            TrainingDisplay.AccuracyName(Models.ModelTask.TextRecognition));
        var pruned = display.Run(() => Pruning.Run(prune, display, cancellationToken));
        pruned.Model.Dispose();
        Cli.WarnSkipped(pruned.Problems);
        AnsiConsole.WriteLine($"{MagnitudePruner.Overall(pruned.Layers):P1} of the weights are zero; validation "
            + $"sequence accuracy {pruned.Before:P1} → {pruned.After:P1}");

        var onnxPath = Path.Combine(dir, "captcha.onnx");
        var int8Path = Path.Combine(dir, "captcha.int8.onnx");
        DemoCommand.Step("6. export", $"the pruned model (ocrforge export --model {prunedPath} --out {onnxPath})");
        using (var trained = TrainedModel.Load(prunedPath))
        {
            OnnxWriter.Save(onnxPath, OnnxExporter.Export(trained));
            DemoCommand.Step("7. quantize", $"the pruned model (ocrforge quantize --model {prunedPath} "
                + $"--data {trainDir} --per-channel --out {int8Path})");
            var calibration = CalibrationSet.Load(trained, prunedPath, trainDir, DatasetFormat.Auto, "all", seed);
            Cli.WarnSkipped(calibration.Problems);
            var options = new QuantizationOptions { PerChannel = true };
            OnnxWriter.Save(int8Path, Int8Quantizer.Quantize(trained, calibration.Images, options).Model);
        }

        var reportDir = Path.Combine(dir, "compare");
        DemoCommand.Step("8. compare", "on the unseen test captchas, .ocrf in TorchSharp, .onnx in ONNX Runtime "
            + $"(ocrforge compare --model {modelPath} {prunedPath} {onnxPath} {int8Path} --data {testDir} "
            + $"--out {reportDir})");
        var compared = ModelComparison.Run(new ComparisonRequest
        {
            Models = [modelPath, prunedPath, onnxPath, int8Path], Data = testDir, Threads = threads,
        }, cancellationToken: cancellationToken);
        Cli.WarnSkipped(compared.Problems);
        ComparisonReport.Write(compared, reportDir);
        AnsiConsole.Write(DemoOutput.Comparison(compared));
        var charts = ComparisonCharts.Save(compared, reportDir).Select(Path.GetFileName);
        var markdown = Path.Combine(reportDir, ComparisonReport.MarkdownFile);
        AnsiConsole.WriteLine($"report: {markdown} (full table), {string.Join(", ", charts)}");
    }
}
