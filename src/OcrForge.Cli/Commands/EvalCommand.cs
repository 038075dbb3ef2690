using System.CommandLine;
using OcrForge.Data;
using OcrForge.Evaluation;
using OcrForge.Inference;
using OcrForge.Inference.Engines;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge eval</c>: accuracy and speed of a model file (.ocrf or .onnx) on a labelled dataset.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var data = SharedOptions.Data();
        var format = SharedOptions.Format();
        var json = SharedOptions.Json("Print one JSON document instead of a table (docs/cli-json.md).");
        var engine = new Option<string?>("--engine") { Description = "torch or onnx (default: by file type)." };
        var beam = PredictCommand.BeamOption();
        var threads = SharedOptions.Threads("Inference threads (default: all cores).");
        var command = new Command("eval", "Measure a model's accuracy and speed on a labelled dataset.");
        foreach (var o in new Option[] { model, data, format, json, engine, beam, threads }) command.Options.Add(o);
        var classifierOptions = ClassifierEval.AddOptions(command);
        var lexiconOptions = LexiconCliOptions.AddTo(command);
        command.SetAction(parse => Cli.Run(() =>
        {
            var modelPath = parse.GetValue(model)!;
            int beamWidth = PredictCommand.CheckBeam(parse.GetValue(beam));
            using var opened = EngineFactory.Open(modelPath, parse.GetValue(engine), parse.GetValue(threads));
            bool classifier = opened.Info.Task == OcrTask.Classification;
            Cli.RefuseIfGiven(parse, beam, !classifier, modelPath, "text models (CTC decoding)");
            lexiconOptions.RefuseUnlessTextModel(parse, !classifier, modelPath);
            Cli.RefuseIfGiven(parse, classifierOptions.Split, classifier, modelPath, "character classifiers");
            Cli.RefuseIfGiven(parse, classifierOptions.ConfusionPng, classifier, modelPath, "character classifiers");
            if (classifier)
                return ClassifierEval.Run(opened, modelPath, parse.GetValue(data)!, parse.GetValue(format),
                    parse.GetValue(classifierOptions.Split)!, parse.GetValue(json),
                    parse.GetValue(classifierOptions.ConfusionPng));
            var lexicon = lexiconOptions.Read(parse, opened.Info.Charset);
            var dataset = DatasetReader.Read(parse.GetValue(data)!, parse.GetValue(format));
            var recognizer = new TextRecognizer(opened) { BeamWidth = beamWidth, Lexicon = lexicon };
            var result = TextEvaluation.Run(recognizer, dataset);
            if (result.UnknownSymbols.Length > 0)
                Cli.Warn($"{dataset.Source}: labels use symbols the model cannot emit: {result.UnknownSymbols}");
            Cli.WarnSkipped(result.Problems);
            var report = TextEvalOutput.Report(result, modelPath, opened.Name, recognizer.DecodingBeamWidth);
            LexiconCliOptions.Describe(lexicon, report);
            if (parse.GetValue(json)) JsonOutput.Write(report);
            else TextEvalOutput.Print(report, result);
            return Cli.Ok;
        }));
        return command;
    }
}
