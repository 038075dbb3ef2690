using System.CommandLine;
using OcrForge.Compression.Pruning;
using OcrForge.Data;
using OcrForge.Inference;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge prune</c>: gradual magnitude pruning with fine-tuning, from a trained model to a sparse one.</summary>
public static class PruneCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("Trained model (.ocrf).");
        var data = SharedOptions.Data("The dataset the model was trained on (its split is rebuilt from the model file).");
        var format = SharedOptions.Format();
        var method = new Option<PruneMethod>("--method") { Description = "magnitude: zero the smallest weights on a schedule; channels: remove whole convolution channels (a smaller, faster network).", DefaultValueFactory = _ => PruneMethod.Magnitude };
        var sparsity = new Option<double>("--sparsity") { Description = "Share of every weight tensor set to zero (magnitude) or of every convolution's channels removed (channels).", DefaultValueFactory = _ => 0.5 };
        var epochs = new Option<int>("--epochs") { Description = "Fine-tuning epochs; the sparsity ramps up over the first two thirds.", DefaultValueFactory = _ => 10 };
        var lr = new Option<double?>("--lr") { Description = "Peak fine-tuning learning rate (default: a tenth of the training run's for magnitude, half for channels)." };
        var threads = SharedOptions.Threads("Torch threads (default: all cores).");
        var resume = new Option<bool>("--resume") { Description = "Continue from the run folder's last checkpoint." };
        var output = SharedOptions.Out("Pruned model to write (.ocrf); logs go to a .train folder beside it.");
        var json = SharedOptions.Json("Print the result as one JSON document on stdout (epoch lines go to stderr).");
        var command = new Command("prune", "Prune a trained model: zero the smallest weights of every layer on a schedule while fine-tuning.");
        foreach (var o in new Option[] { model, data, format, method, sparsity, epochs, lr, threads, resume, output, json }) command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            var request = new PruneRequest
            {
                ModelPath = parse.GetValue(model)!,
                Data = parse.GetValue(data)!,
                Format = parse.GetValue(format),
                OutPath = parse.GetValue(output)!,
                Method = parse.GetValue(method),
                Sparsity = parse.GetValue(sparsity),
                Epochs = parse.GetValue(epochs),
                LearningRate = parse.GetValue(lr) is { } rate ? rate > 0 ? rate : throw new OcrForgeException($"--lr {rate}: expected a number > 0") : null,
                Threads = parse.GetValue(threads),
                Resume = parse.GetValue(resume),
            };
            var runDirectory = Training.TrainingOptions.RunDirectoryFor(request.OutPath);
            var headline = IO.ModelFile.ReadManifest(request.ModelPath).Task == Models.ModelTask.TextRecognition ? "sequence_accuracy" : "accuracy";
            var display = new TrainingDisplay(runDirectory, $"pruning {Path.GetFileName(request.ModelPath)}: {request.Method.ToString().ToLowerInvariant()} {request.Sparsity:P0}", headline, parse.GetValue(json));
            using var cancel = new CancelOnCtrlC();
            var outcome = display.Run(() => Pruning.Run(request, display, cancel.Token));
            using var pruned = outcome.Model;
            Cli.WarnSkipped(outcome.Problems);
            foreach (var note in outcome.Notes) Cli.Warn(note);
            if (parse.GetValue(json)) JsonOutput.Write(CompressionJson.Prune(outcome, request.Method.ToString().ToLowerInvariant(), request.ModelPath, request.OutPath));
            else Report(outcome, request.ModelPath, request.OutPath);
            if (outcome.Advice is { } advice) Cli.Warn(advice);
            return Cli.Ok;
        }));
        return command;
    }

    public static void Report(PruneOutcome outcome, string source, string target)
    {
        if (outcome.Channels.Count > 0)
        {
            var channels = new Table().AddColumns("convolution", "channels before", "after");
            foreach (var c in outcome.Channels) channels.AddRow(c.Layer, $"{c.Before}", $"{c.After}");
            AnsiConsole.Write(channels);
        }
        else
        {
            var layers = new Table().AddColumns("layer", "weights", "zeros", "sparsity");
            foreach (var l in outcome.Layers) layers.AddRow(Markup.Escape(l.Name), $"{l.Total:N0}", $"{l.Zeros:N0}", $"{l.Sparsity:P1}");
            AnsiConsole.Write(layers);
        }
        var compare = new Table().AddColumns("model", outcome.MetricName, "parameters", "file", "gzip");
        foreach (var (path, metric, count) in new[] { (source, outcome.Before, outcome.ParametersBefore), (target, outcome.After, outcome.ParametersAfter) })
            compare.AddRow(Markup.Escape(Path.GetFileName(path)), $"{metric:P2}", $"{count:N0}", Kb(new FileInfo(path).Length), Kb(Pruning.CompressedSize(path)));
        AnsiConsole.Write(compare);
        var what = outcome.Channels.Count > 0
            ? $"{outcome.ParametersAfter:N0} parameters instead of {outcome.ParametersBefore:N0}"
            : $"{MagnitudePruner.Overall(outcome.Layers):P1} of the pruned weights are zero";
        AnsiConsole.MarkupLineInterpolated(
            $"[green]saved[/] {target}: {what}; {outcome.MetricName} {outcome.Before:P2} → {outcome.After:P2} on {outcome.EvaluatedSamples} held-out images; best epoch {outcome.Training.BestEpoch} of {outcome.Training.History.Count}");
    }

    private static string Kb(long bytes) => $"{bytes / 1024.0:0.#} kB";
}
