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
        var model = new Option<string>("--model", "-m") { Description = "Trained model (.ocrf).", Required = true };
        var format = new Option<string>("--format") { Description = "Export format (onnx).", DefaultValueFactory = _ => "onnx" };
        var opset = new Option<long>("--opset") { Description = $"ONNX opset ({OnnxExporter.MinOpset}–{OnnxModel.DefaultOpset}).", DefaultValueFactory = _ => OnnxModel.DefaultOpset };
        var output = new Option<string>("--out") { Description = "File to write (.onnx).", Required = true };
        var command = new Command("export", "Export a trained model to ONNX (dynamic batch, BatchNorm folded, charset and preprocessing in the file's metadata).");
        command.Options.Add(model);
        command.Options.Add(format);
        command.Options.Add(opset);
        command.Options.Add(output);
        command.SetAction(parse => Cli.Run(() =>
        {
            if (parse.GetValue(format) is var f && f != "onnx")
                throw new Inference.OcrForgeException($"--format {f}: unknown format (known: onnx)");
            string source = parse.GetValue(model)!, target = parse.GetValue(output)!;
            using var trained = TrainedModel.Load(source);
            OnnxWriter.Save(target, OnnxExporter.Export(trained, parse.GetValue(opset)));
            AnsiConsole.MarkupLineInterpolated($"[green]wrote[/] {target} ({new FileInfo(target).Length / 1024.0:0.#} kB, opset {parse.GetValue(opset)}, {trained.Module.ParameterCount():N0} parameters)");
            return Cli.Ok;
        }));
        return command;
    }
}
