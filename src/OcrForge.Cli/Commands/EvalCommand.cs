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
        var data = SharedOptions.OptionalData("Labelled dataset folder (or .csv manifest); with --cv, default: the " +
            "model's training data.");
        var format = SharedOptions.Format();
        var json = SharedOptions.Json("Print one JSON document instead of a table (docs/cli-json.md).");
        var engine = new Option<string?>("--engine") { Description = "torch or onnx (default: by file type)." };
        var beam = PredictCommand.BeamOption();
        var threads = SharedOptions.Threads("Inference threads (default: all cores); with --cv, training threads " +
            "(default: the model's).");
        var cv = EvalCrossValidation.CreateOption();
        var command = new Command("eval", "Measure a model's accuracy and speed on a labelled dataset.");
        foreach (var o in new Option[] { model, data, format, json, engine, beam, threads, cv }) command.Options.Add(o);
        var classifierOptions = ClassifierEval.AddOptions(command);
        var lexiconOptions = LexiconCliOptions.AddTo(command);
        command.SetAction(parse => Cli.Run(() =>
        {
            var modelPath = parse.GetValue(model)!;
            if (parse.GetValue(cv) is var k and not 1)
                return EvalCrossValidation.Run(parse, modelPath, k, data, format, threads, parse.GetValue(json),
                    [engine, beam, classifierOptions.Split, classifierOptions.ConfusionPng, lexiconOptions.File,
                        lexiconOptions.Mode, lexiconOptions.Weight]);
            var dataPath = parse.GetValue(data) ?? throw new OcrForgeException(
                "--data: required (only eval --cv defaults to the model's training data)");
            int beamWidth = PredictCommand.CheckBeam(parse.GetValue(beam));
            using var job = EngineFactory.OpenForBatchJob(modelPath, parse.GetValue(engine), parse.GetValue(threads));
            var opened = job.Engine;
            bool classifier = opened.Info.Task == OcrTask.Classification;
            Cli.RefuseIfGiven(parse, beam, !classifier, modelPath, "text models (CTC decoding)");
            lexiconOptions.RefuseUnlessTextModel(parse, !classifier, modelPath);
            Cli.RefuseIfGiven(parse, classifierOptions.Split, classifier, modelPath, "character classifiers");
            Cli.RefuseIfGiven(parse, classifierOptions.ConfusionPng, classifier, modelPath, "character classifiers");
            if (classifier)
                return ClassifierEval.Run(opened, modelPath, dataPath, parse.GetValue(format),
                    parse.GetValue(classifierOptions.Split)!, parse.GetValue(json),
                    parse.GetValue(classifierOptions.ConfusionPng));
            var lexicon = lexiconOptions.Read(parse, opened.Info.Charset);
            var dataset = DatasetReader.Read(dataPath, parse.GetValue(format));
            var recognizer = new TextRecognizer(opened)
            {
                BeamWidth = beamWidth, Lexicon = lexicon, ConcurrentBatches = job.ConcurrentBatches,
            };
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
