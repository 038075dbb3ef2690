using System.CommandLine;
using System.Globalization;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>ocrforge predict</c>: read images with a model; one line per image,
/// <c>path&lt;TAB&gt;text&lt;TAB&gt;confidence</c>, or with <c>--json</c> one JSON Lines record per image.
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var images = new Argument<string[]>("images")
        {
            Description = "Image files or folders of images.", Arity = ArgumentArity.OneOrMore,
        };
        var beam = BeamOption();
        var json = SharedOptions.Json("JSON Lines: one object per image, {path, text, confidence} or "
            + "{path, class, probability, top} (docs/cli-json.md).");
        var engine = new Option<string?>("--engine") { Description = "torch or onnx (default: by file type)." };
        var threads = SharedOptions.Threads("Inference threads (default: all cores).");
        var command = new Command("predict", "Read the text of images with a trained model.");
        command.Arguments.Add(images);
        foreach (var o in new Option[] { model, beam, json, engine, threads }) command.Options.Add(o);
        var top = ClassifierPredict.AddTopOption(command);
        var lexiconOptions = LexiconCliOptions.AddTo(command);
        command.SetAction(parse => Cli.Run(() =>
        {
            var modelPath = parse.GetValue(model)!;
            int beamWidth = CheckBeam(parse.GetValue(beam));
            using var job = EngineFactory.OpenForBatchJob(modelPath, parse.GetValue(engine), parse.GetValue(threads));
            var opened = job.Engine;
            var files = Expand(parse.GetValue(images)!);
            bool classifier = opened.Info.Task == OcrTask.Classification;
            Cli.RefuseIfGiven(parse, beam, !classifier, modelPath, "text models (CTC decoding)");
            lexiconOptions.RefuseUnlessTextModel(parse, !classifier, modelPath);
            Cli.RefuseIfGiven(parse, top, classifier, modelPath, "character classifiers");
            if (classifier)
                return ClassifierPredict.Run(opened, files, parse.GetValue(top), parse.GetValue(json));
            var lexicon = lexiconOptions.Read(parse, opened.Info.Charset);
            var recognizer = new TextRecognizer(opened)
            {
                BeamWidth = beamWidth, Lexicon = lexicon, ConcurrentBatches = job.ConcurrentBatches,
            };
            bool asJson = parse.GetValue(json);
            var reader = new ImageReader(files);
            foreach (var chunk in reader.Chunks(ChunkSize))
            {
                var lines = recognizer.PredictAll([.. chunk.Select(c => c.Image)]);
                for (int i = 0; i < chunk.Count; i++)
                    if (asJson)
                        JsonOutput.WriteLine(new
                        {
                            path = chunk[i].Path, text = lines[i].Text, confidence = lines[i].Confidence,
                        });
                    else
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{chunk[i].Path}\t{lines[i].Text}\t{lines[i].Confidence:G4}"));
            }
            reader.ThrowIfNothingRead();
            return Cli.Ok;
        }));
        return command;
    }

    /// <summary>Images decoded and read at a time: enough to batch them by width, few enough that a glob of a
    /// million files never holds them all.</summary>
    public const int ChunkSize = 1024;

    /// <summary><c>--beam</c> of eval and predict.</summary>
    public static Option<int> BeamOption() =>
        new("--beam") { Description = "CTC beam width; 1 = greedy.", DefaultValueFactory = _ => 1 };

    public static int CheckBeam(int beam) =>
        beam is >= 1 and <= 1000 ? beam : throw new OcrForgeException($"--beam {beam}: expected 1 (greedy) to 1000");

    /// <summary>
    /// Files as given; folders become their images in name order. A missing path is a one-line error.
    /// </summary>
    public static List<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
                files.AddRange(Directory.EnumerateFiles(p).Where(DatasetReader.IsImage).Order(StringComparer.Ordinal));
            else if (File.Exists(p)) files.Add(p);
            else throw new OcrForgeException($"{p}: no such image file or folder");
        }
        return files.Count > 0 ? files : throw new OcrForgeException($"{string.Join(" ", paths)}: no images found");
    }
}
