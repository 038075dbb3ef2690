using System.CommandLine;
using OcrForge.Compression.Pruning;
using OcrForge.Data;
using OcrForge.Inference;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge prune</c>: gradual magnitude pruning with fine-tuning, from a trained model to a sparse one.
/// </summary>
public static class PruneCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("Trained model (.ocrf).");
        var data = SharedOptions.Data(
            "The dataset the model was trained on (its split is rebuilt from the model file).");
        var format = SharedOptions.Format();
        var method = new Option<PruneMethod>("--method")
        {
            Description = "magnitude: zero the smallest weights on a schedule; channels: remove whole convolution " +
                "channels (a smaller, faster network).",
            DefaultValueFactory = _ => PruneMethod.Magnitude,
        };
        var sparsity = new Option<double>("--sparsity")
        {
            Description = "Share of every weight tensor set to zero (magnitude) or of every convolution's channels " +
                "removed (channels).",
            DefaultValueFactory = _ => 0.5,
        };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Fine-tuning epochs; the sparsity ramps up over the first two thirds.",
            DefaultValueFactory = _ => 10,
        };
        var lr = new Option<double?>("--lr")
        {
            Description = "Peak fine-tuning learning rate (default: a tenth of the training run's for magnitude, " +
                "half for channels).",
        };
        var threads = SharedOptions.Threads("Torch threads (default: all cores).");
        var resume = new Option<bool>("--resume") { Description = "Continue from the run folder's last checkpoint." };
        var output = SharedOptions.Out("Pruned model to write (.ocrf); logs go to a .train folder beside it.");
        var json = SharedOptions.Json("Print the result as one JSON document on stdout (epoch lines go to stderr).");
        var command = new Command("prune",
            "Prune a trained model: zero the smallest weights of every layer on a schedule while fine-tuning.");
        Option[] options = [model, data, format, method, sparsity, epochs, lr, threads, resume, output, json];
        foreach (var o in options) command.Options.Add(o);
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
                LearningRate = parse.GetValue(lr) is { } rate
                    ? rate > 0 ? rate : throw new OcrForgeException($"--lr {rate}: expected a number > 0")
                    : null,
                Threads = parse.GetValue(threads),
                Resume = parse.GetValue(resume),
            };
            string methodName = request.Method.ToString().ToLowerInvariant();
            var display = new TrainingDisplay(Training.TrainingOptions.RunDirectoryFor(request.OutPath),
                $"pruning {Path.GetFileName(request.ModelPath)}: {methodName} {request.Sparsity:P0}",
                TrainingDisplay.AccuracyName(IO.ModelFile.ReadManifest(request.ModelPath).Task), parse.GetValue(json));
            using var cancel = new CancelOnCtrlC();
            var outcome = display.Run(() => Pruning.Run(request, display, cancel.Token));
            using var pruned = outcome.Model;
            Cli.WarnSkipped(outcome.Problems);
            foreach (var note in outcome.Notes) Cli.Warn(note);
            if (parse.GetValue(json))
                JsonOutput.Write(CompressionJson.Prune(outcome, methodName, request.ModelPath, request.OutPath));
            else PruneOutput.Print(outcome, request.ModelPath, request.OutPath);
            if (outcome.Advice is { } advice) Cli.Warn(advice);
            return Cli.Ok;
        }));
        return command;
    }
}
