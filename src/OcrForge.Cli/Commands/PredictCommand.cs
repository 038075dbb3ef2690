using System.CommandLine;
using OcrForge.Inference;
using OcrForge.Inference.Engines;

namespace OcrForge.Cli.Commands;

/// <summary>`ocrforge predict`: run a model on images.</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file (.ocrf or .onnx).", Required = true };
        var images = new Argument<string[]>("images") { Description = "Image files.", Arity = ArgumentArity.OneOrMore };
        var engine = new Option<string?>("--engine") { Description = "torch or onnx (default: by file type)." };
        var top = new Option<int>("--top") { Description = "Classifiers: print the N most probable classes.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("predict", "Recognise images with a trained model.") { model, images, engine, top, json };
        command.SetAction(parse => Cli.Run(() =>
        {
            var modelPath = parse.GetValue(model)!;
            using var opened = EngineFactory.Open(modelPath, parse.GetValue(engine));
            if (opened.Info.Task == OcrTask.Classification)
                return ClassificationCommands.Predict(opened, parse.GetValue(images)!, parse.GetValue(top), parse.GetValue(json));
            throw new OcrForgeException($"{modelPath}: text-recognition prediction is not in this build (branch ctc)");
        }));
        return command;
    }
}
