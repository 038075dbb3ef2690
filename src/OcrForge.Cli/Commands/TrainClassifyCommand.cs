using System.CommandLine;
using System.Globalization;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Reports;
using OcrForge.Runtime;
using OcrForge.Training.Classification;
using OcrForge.Training.SemiSupervised;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>`ocrforge train classify`: a character classifier (supervised, or a semi-supervised GAN).</summary>
public static class TrainClassifyCommand
{
    public static Command Create()
    {
        var defaults = new ClassifierTrainingOptions();
        var request = new CharacterTrainingRequest { Data = "" };
        var data = new Option<string>("--data") { Description = "Dataset folder (or .csv manifest).", Required = true };
        var format = new Option<string>("--format") { Description = "auto, chars74k, folders, csv or filename.", DefaultValueFactory = _ => "auto" };
        var preset = new Option<string>("--preset") { Description = $"Classification preset ({string.Join(", ", ModelRegistry.All.Where(p => p.Task == ModelTask.Classification).Select(p => p.Name))}).", DefaultValueFactory = _ => CharacterTrainingRequest.DefaultPreset };
        var set = new Option<string[]>("--set") { Description = "Architecture override key=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => defaults.Epochs };
        var batchSize = new Option<int>("--batch-size") { DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (warm-up, then cosine decay).", DefaultValueFactory = _ => defaults.LearningRate };
        var optimizer = new Option<string>("--optimizer") { Description = "adamw, adam or sgd.", DefaultValueFactory = _ => "adamw" };
        var weightDecay = new Option<double>("--weight-decay") { DefaultValueFactory = _ => defaults.WeightDecay };
        var augment = new Option<bool>("--augment") { Description = "Rotation ±10°, translation ±10 %, zoom 1–1.3 (--augment false to turn off).", DefaultValueFactory = _ => true };
        var balanced = new Option<bool>("--balanced") { Description = "Draw every class equally often." };
        var classWeights = new Option<bool>("--class-weights") { Description = "Weight the loss by inverse class frequency." };
        var patience = new Option<int>("--patience") { Description = "Stop after N epochs without a better validation accuracy (0 = off).", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => defaults.Seed };
        var validation = new Option<double>("--validation-fraction") { DefaultValueFactory = _ => request.ValidationFraction };
        var test = new Option<double>("--test-fraction") { DefaultValueFactory = _ => request.TestFraction };
        var resize = new Option<string>("--resize") { Description = "pad (keep aspect) or stretch.", DefaultValueFactory = _ => request.Resize.ToString().ToLowerInvariant() };
        var autoContrast = new Option<bool>("--auto-contrast") { Description = "Flip dark backgrounds and stretch contrast per image.", DefaultValueFactory = _ => request.AutoContrast };
        var semi = new Option<bool>("--semi-supervised") { Description = "Train a semi-supervised GAN (Salimans et al. 2016); the saved classifier is its discriminator." };
        var labeledFraction = new Option<double>("--labeled-fraction") { Description = "Use the labels of this fraction of the training split only.", DefaultValueFactory = _ => 1.0 };
        var unlabeled = new Option<string?>("--unlabeled") { Description = "Extra unlabelled images for --semi-supervised." };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: all cores)." };
        var output = new Option<string>("--out") { Description = "The model file to write (.ocrf).", Required = true };

        var command = new Command("classify", "Train a character classifier (CNN), optionally semi-supervised with a GAN.")
        {
            data, format, preset, set, epochs, batchSize, lr, optimizer, weightDecay, augment, balanced, classWeights, patience, seed,
            validation, test, resize, autoContrast, semi, labeledFraction, unlabeled, threads, output,
        };
        command.SetAction(parse => Cli.Run(() =>
        {
            var outPath = parse.GetValue(output)!;
            var req = new CharacterTrainingRequest
            {
                Data = parse.GetValue(data)!,
                Format = ParseEnum<DatasetFormat>("--format", parse.GetValue(format)!),
                Preset = parse.GetValue(preset)!,
                Overrides = ModelRegistry.ParseOverrides(parse.GetValue(set) ?? []),
                Training = new ClassifierTrainingOptions
                {
                    Epochs = Positive("--epochs", parse.GetValue(epochs)),
                    BatchSize = Positive("--batch-size", parse.GetValue(batchSize)),
                    LearningRate = parse.GetValue(lr) is > 0 and var rate ? rate : throw new OcrForgeException("--lr: expected a positive number"),
                    Optimizer = ParseEnum<OptimizerKind>("--optimizer", parse.GetValue(optimizer)!),
                    WeightDecay = parse.GetValue(weightDecay),
                    Augment = parse.GetValue(augment) ? AugmentOptions.Characters : null,
                    BalancedSampling = parse.GetValue(balanced),
                    ClassWeights = parse.GetValue(classWeights),
                    Patience = parse.GetValue(patience),
                    Seed = parse.GetValue(seed),
                },
                ValidationFraction = parse.GetValue(validation),
                TestFraction = parse.GetValue(test),
                Resize = ParseEnum<ResizeMode>("--resize", parse.GetValue(resize)!),
                AutoContrast = parse.GetValue(autoContrast),
                LabeledFraction = parse.GetValue(labeledFraction),
                SemiSupervised = parse.GetValue(semi) ? new SganOptions() : null,
                UnlabeledData = parse.GetValue(unlabeled),
            };
            if (req.UnlabeledData is not null && req.SemiSupervised is null)
                throw new OcrForgeException("--unlabeled: only used with --semi-supervised");
            if (!outPath.EndsWith(IO.ModelFile.Extension, StringComparison.OrdinalIgnoreCase))
                throw new OcrForgeException($"--out {outPath}: expected a {IO.ModelFile.Extension} file");
            TorchRuntime.Initialize(parse.GetValue(threads));
            return Train(req, outPath);
        }));
        return command;
    }

    private static int Train(CharacterTrainingRequest request, string outPath)
    {
        var reportDir = Path.ChangeExtension(outPath, null) + ".report";
        Directory.CreateDirectory(reportDir);
        // Reported synchronously (Progress<T> would post to the thread pool and reorder lines).
        var progress = new ConsoleProgress<EpochReport>(r => AnsiConsole.MarkupLineInterpolated(
            $"epoch {r.Epoch,3}/{r.Epochs} loss {r.TrainLoss:F3} acc {r.TrainAccuracy:P1} | val loss {r.ValidationLoss:F3} [bold]acc {r.ValidationAccuracy:P2}[/] | lr {r.LearningRate:G2} {r.Elapsed:mm\\:ss}"));
        var log = new ConsoleProgress<string>(AnsiConsole.WriteLine);
        Action<int, IReadOnlyList<GrayImage>>? samples = request.SemiSupervised is null ? null
            : (epoch, images) => GanSampleGrid.Save(Path.Combine(reportDir, $"gan-epoch-{epoch:D3}.png"), images, $"SGAN samples, epoch {epoch}");

        var result = CharacterTraining.Run(request, progress, log, samples);
        using var model = result.Model;
        model.Save(outPath);
        foreach (var problem in result.Problems.Take(5)) Cli.Warn(problem.ToString());
        if (result.Problems.Count > 5) Cli.Warn($"… and {result.Problems.Count - 5} more data problems");

        var test = result.Test;
        ConfusionMatrixChart.Save(Path.Combine(reportDir, "confusion.png"), test, $"{request.Preset} on {test.Samples} held-out images");
        HistoryFile.Write(Path.Combine(reportDir, "history.csv"), result.History);
        AnsiConsole.MarkupLineInterpolated($"[bold]held-out test: accuracy {test.Accuracy:P2}, top-3 {test.Top3Accuracy:P2} on {test.Samples} images[/]");
        var confusions = string.Join(", ", test.TopConfusions(5).Select(c => $"{c.Truth}→{c.Predicted} ×{c.Count}"));
        if (confusions.Length > 0) AnsiConsole.MarkupLineInterpolated($"most confused: {confusions}");
        AnsiConsole.MarkupLineInterpolated($"wrote {outPath} ({model.Module.ParameterCount():N0} parameters) and {reportDir}/");
        return Cli.Ok;
    }

    private static int Positive(string name, int value) => value > 0 ? value : throw new OcrForgeException($"{name} {value}: expected a positive whole number");

    internal static T ParseEnum<T>(string option, string value) where T : struct, Enum =>
        Enum.TryParse<T>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var e) && Enum.IsDefined(e) ? e
            : throw new OcrForgeException($"{option} {value}: expected one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");
}

internal sealed class ConsoleProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>The per-epoch numbers as CSV, for spreadsheets and plots.</summary>
internal static class HistoryFile
{
    public static void Write(string path, IReadOnlyList<EpochReport> history)
    {
        var lines = new List<string> { "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,seconds" };
        lines.AddRange(history.Select(r => string.Join(',',
            r.Epoch.ToString(CultureInfo.InvariantCulture), F(r.TrainLoss), F(r.TrainAccuracy), F(r.ValidationLoss), F(r.ValidationAccuracy),
            F(r.LearningRate), F(r.Elapsed.TotalSeconds))));
        IO.AtomicFile.WriteAllText(path, string.Join('\n', lines) + "\n");
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
