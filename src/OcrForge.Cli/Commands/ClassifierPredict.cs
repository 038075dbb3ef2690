using System.CommandLine;
using System.Globalization;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;

namespace OcrForge.Cli.Commands;

/// <summary>The character-classifier path of <c>ocrforge predict</c>.</summary>
public static class ClassifierPredict
{
    public static Option<int> AddTopOption(Command predict)
    {
        var top = new Option<int>("--top")
        {
            Description = "Classifiers: print the N most probable classes.", DefaultValueFactory = _ => 1,
        };
        predict.Options.Add(top);
        return top;
    }

    /// <summary>
    /// Prints the most probable class of each image and its probability (the top <paramref name="top"/> on request):
    /// a line per image, as it is read, in text or as one JSON Lines record.
    /// </summary>
    public static int Run(IOcrEngine engine, IReadOnlyList<string> imagePaths, int top, bool json)
    {
        if (top < 1) throw new OcrForgeException($"--top {top}: expected at least 1");
        // Not disposed here: the engine belongs to the caller.
        var classifier = new CharacterClassifier(engine);
        var reader = new ImageReader(imagePaths);
        foreach (var (path, image) in reader.Chunks(PredictCommand.ChunkSize).SelectMany(chunk => chunk))
        {
            var scores = classifier.Predict(image, top);
            if (json)
                JsonOutput.WriteLine(new
                {
                    path,
                    @class = scores[0].Label,
                    probability = Math.Round(scores[0].Probability, 6),
                    top = scores.Select(s => new { @class = s.Label, probability = Math.Round(s.Probability, 6) }),
                });
            else
            {
                var others = scores.Skip(1).Select(s => $"{s.Label} {Percent(s.Probability)}");
                var rest = top > 1 ? "   (" + string.Join(", ", others) + ")" : "";
                Console.WriteLine($"{path}\t{scores[0].Label}\t{Percent(scores[0].Probability)}{rest}");
            }
        }
        reader.ThrowIfNothingRead();
        return Cli.Ok;
    }

    private static string Percent(double p) => p.ToString("P1", CultureInfo.InvariantCulture);
}
