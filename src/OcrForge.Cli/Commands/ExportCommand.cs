using System.CommandLine;
using OcrForge.Export;
using OcrForge.IO;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge export</c>: an .ocrf model to a self-describing ONNX file.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("Trained model (.ocrf).");
        // --format names the dataset layout everywhere else; here it named the output type, which --out's .onnx
        // already says. Kept, hidden, for one release.
        var format = new Option<string?>("--format")
        {
            Description = "Deprecated: the output type follows --out (.onnx).", Hidden = true,
        };
        var opset = new Option<long>("--opset")
        {
            Description = $"ONNX opset ({OnnxExporter.MinOpset}–{OnnxModel.DefaultOpset}).",
            DefaultValueFactory = _ => OnnxModel.DefaultOpset,
        };
        var output = SharedOptions.Out("File to write (.onnx).");
        var json = SharedOptions.Json();
        var command = new Command("export", "Export a trained model to ONNX (dynamic batch, BatchNorm folded, charset "
            + "and preprocessing in the file's metadata).");
        foreach (var o in new Option[] { model, format, opset, output, json }) command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            if (parse.GetValue(format) is { } f)
            {
                if (f != "onnx") throw new Inference.OcrForgeException($"--format {f}: unknown format (known: onnx)");
                SharedOptions.WarnDeprecated("export --format onnx", "--out FILE.onnx alone");
            }
            string source = parse.GetValue(model)!, target = parse.GetValue(output)!;
            if (!target.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                throw new Inference.OcrForgeException($"--out {target}: export writes ONNX files, which end in .onnx");
            long opsetVersion = parse.GetValue(opset);
            using var trained = TrainedModel.Load(source);
            OnnxWriter.Save(target, OnnxExporter.Export(trained, opsetVersion));
            long bytes = new FileInfo(target).Length, parameters = trained.Module.ParameterCount();
            if (parse.GetValue(json))
                JsonOutput.Write(new
                {
                    model = source, @out = target, format = "onnx", opset = opsetVersion, bytes, parameters,
                });
            else
            {
                var size = $"{bytes / 1024.0:0.#} kB";
                AnsiConsole.MarkupLineInterpolated(
                    $"[green]wrote[/] {target} ({size}, opset {opsetVersion}, {parameters:N0} parameters)");
            }
            return Cli.Ok;
        }));
        return command;
    }
}
