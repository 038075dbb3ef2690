using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge eval</c>: accuracy and speed of a model file (.ocrf or .onnx) on a labelled dataset.</summary>
public static class EvalCommand
{
    private const int Batch = 64;
    private const int TopConfusions = 10;

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file (.ocrf or .onnx).", Required = true };
        var data = new Option<string>("--data") { Description = "Labelled dataset folder (or .csv manifest).", Required = true };
        var format = new Option<DatasetFormat>("--format") { Description = "Dataset layout: auto, filename, chars74k, folders, csv.", DefaultValueFactory = _ => DatasetFormat.Auto };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var engine = new Option<string?>("--engine") { Description = "torch or onnx (default: by file type)." };
        var beam = new Option<int>("--beam") { Description = "CTC beam width; 1 = greedy.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "Inference threads (default: all cores)." };
        var command = new Command("eval", "Measure a model's accuracy and speed on a labelled dataset.");
        foreach (var o in new Option[] { model, data, format, json, engine, beam, threads }) command.Options.Add(o);
        var classifierOptions = ClassificationCommands.AddEvalOptions(command);
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
                return ClassificationCommands.Eval(opened, modelPath, parse.GetValue(data)!, parse.GetValue(format), classifierOptions, parse);
            var lexicon = lexiconOptions.Read(parse, opened.Info.Charset);
            var dataset = DatasetReader.Read(parse.GetValue(data)!, parse.GetValue(format));
            var recognizer = new TextRecognizer(opened) { BeamWidth = beamWidth, Lexicon = lexicon };
            // The one place eval dispatches on what the model computes.
            var report = opened.Info.Task switch
            {
                OcrTask.TextRecognition => EvaluateText(recognizer, dataset),
                _ => throw new OcrForgeException($"{modelPath}: evaluating a character classifier is `ocrforge eval` on a classifier build (not in this one)"),
            };
            report["model"] = modelPath;
            report["engine"] = opened.Name;
            report["beam"] = recognizer.DecodingBeamWidth;
            LexiconCliOptions.Describe(lexicon, report);
            Print(report, parse.GetValue(json));
            return Cli.Ok;
        }));
        return command;
    }

    /// <summary>
    /// Greedy or beam decoding over the whole set. images_per_second counts preprocessing, the forward pass and
    /// decoding of already-decoded images (file reading and PNG decoding excluded), in batches of 64.
    /// </summary>
    public static Dictionary<string, object> EvaluateText(TextRecognizer recognizer, Dataset dataset)
    {
        var decoded = DatasetDecoder.Decode(dataset);
        var samples = decoded.Samples;
        var metrics = new TextMetrics();
        var mistakes = new List<Mistake>();
        var clock = new Stopwatch();
        for (int start = 0; start < samples.Count; start += Batch)
        {
            var batch = samples.Skip(start).Take(Batch).ToList();
            clock.Start();
            var predictions = recognizer.PredictBatch(batch.Select(s => s.Image).ToList());
            clock.Stop();
            for (int i = 0; i < batch.Count; i++)
            {
                metrics.Add(predictions[i].Text, batch[i].Label);
                if (predictions[i].Text != batch[i].Label && mistakes.Count < 10)
                    mistakes.Add(new Mistake(batch[i].Path, batch[i].Label, predictions[i].Text, predictions[i].Confidence));
            }
        }
        var unknown = samples.SelectMany(s => s.Label.EnumerateSymbols()).Distinct().Where(s => !recognizer.Info.Charset.Contains(s)).ToList();
        if (unknown.Count > 0) Cli.Warn($"{dataset.Source}: labels use symbols the model cannot emit: {string.Concat(unknown)}");
        Cli.WarnSkipped(decoded.Problems);
        return new Dictionary<string, object>
        {
            ["data"] = dataset.Source,
            ["samples"] = metrics.Samples,
            ["skipped"] = decoded.Problems.Count,
            ["sequence_accuracy"] = metrics.SequenceAccuracy,
            ["character_accuracy"] = metrics.CharacterAccuracy,
            ["cer"] = metrics.Cer,
            ["wer"] = metrics.Wer,
            ["images_per_second"] = Math.Round(samples.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), 1),
            ["mistakes"] = mistakes,
            ["top_confusions"] = metrics.TopConfusions(TopConfusions),
        };
    }

    private static void Print(Dictionary<string, object> report, bool json)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report));
            return;
        }
        var table = new Table().AddColumns("metric", "value");
        foreach (var (key, value) in report.Where(kv => kv.Key is not ("mistakes" or "top_confusions")))
            table.AddRow(key, value switch { double d when key.Contains("accuracy") => d.ToString("P2"), double d => d.ToString("0.####"), _ => value.ToString() ?? "" });
        AnsiConsole.Write(table);
        if (report["mistakes"] is List<Mistake> { Count: > 0 } mistakes)
        {
            AnsiConsole.MarkupLine("first mistakes (expected → predicted, confidence):");
            foreach (var m in mistakes) AnsiConsole.MarkupLineInterpolated($"  {Path.GetFileName(m.Path)}: {m.Expected} → {m.Predicted} ({m.Confidence:0.###})");
        }
        if (report["top_confusions"] is IReadOnlyList<Confusion> { Count: > 0 } confusions)
            AnsiConsole.MarkupLineInterpolated($"most frequent symbol errors (expected→predicted count, ∅ = nothing): {string.Join(", ", confusions)}");
    }

    private sealed record Mistake(
        [property: System.Text.Json.Serialization.JsonPropertyName("path")] string Path,
        [property: System.Text.Json.Serialization.JsonPropertyName("expected")] string Expected,
        [property: System.Text.Json.Serialization.JsonPropertyName("predicted")] string Predicted,
        [property: System.Text.Json.Serialization.JsonPropertyName("confidence")] double Confidence);
}
