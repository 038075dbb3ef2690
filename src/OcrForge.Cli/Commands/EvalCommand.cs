using System.CommandLine;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Engines;

namespace OcrForge.Cli.Commands;

/// <summary>`ocrforge eval`: accuracy of a model on labelled images, with any engine.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file (.ocrf or .onnx).", Required = true };
        var data = new Option<string>("--data") { Description = "Labelled images (folder or .csv manifest).", Required = true };
        var format = new Option<string>("--format") { DefaultValueFactory = _ => "auto" };
        var engine = new Option<string?>("--engine") { Description = "torch or onnx (default: by file type)." };
        var json = new Option<bool>("--json") { Description = "Print the metrics as JSON." };
        var split = new Option<string>("--split") { Description = "Classifiers: all, or test/validation = the images held out when this model was trained on the same folder.", DefaultValueFactory = _ => "all" };
        var confusion = new Option<string?>("--confusion-png") { Description = "Classifiers: write the confusion matrix as a PNG." };
        var command = new Command("eval", "Evaluate a model on labelled images.") { model, data, format, engine, json, split, confusion };
        command.SetAction(parse => Cli.Run(() =>
        {
            var modelPath = parse.GetValue(model)!;
            using var opened = EngineFactory.Open(modelPath, parse.GetValue(engine));
            var dataFormat = TrainClassifyCommand.ParseEnum<DatasetFormat>("--format", parse.GetValue(format)!);
            if (opened.Info.Task == OcrTask.Classification)
                return ClassificationCommands.Eval(opened, modelPath, parse.GetValue(data)!, dataFormat, parse.GetValue(split)!, parse.GetValue(json), parse.GetValue(confusion));
            throw new OcrForgeException($"{modelPath}: text-recognition evaluation is not in this build (branch ctc)");
        }));
        return command;
    }
}
