using System.CommandLine;
using System.Text.Json;
using OcrForge.Cli.Commands;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Runtime;

namespace OcrForge.Tests.Classification;

/// <summary>
/// Runs `ocrforge eval` / `predict` in-process on a tiny classifier and a folder of PNGs it writes. Serial: it swaps
/// Console.Out and draws from torch's process-wide generator, which seeded tests elsewhere rely on.
/// </summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class EvalCommandTests
{
    [Fact]
    public void Eval_json_reports_samples_accuracy_top3_and_speed_and_predict_prints_class_and_probability()
    {
        using var dir = new TempDir();
        var images = TinyCharacters.Make(perClass: 3);
        string[] names = ["a", "b", "c", "d"];
        for (int i = 0; i < images.Count; i++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(dir.Path, "data", names[images[i].Class])).FullName;
            OcrForge.Data.ImageWriter.WritePng(images[i].Image, Path.Combine(folder, $"{i}.png"));
        }
        TorchRuntime.Seed(3);
        using (var model = TrainedModel.Create(TinyCharacters.TinyCnn, new Charset(names, hasBlank: false), TinyCharacters.Spec))
            model.Save(dir.File("m.ocrf"));

        var (code, output) = Run("eval", "--model", dir.File("m.ocrf"), "--data", Path.Combine(dir.Path, "data"), "--format", "folders", "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(images.Count, root.GetProperty("samples").GetInt32());
        Assert.InRange(root.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("top3_accuracy").GetDouble(), root.GetProperty("accuracy").GetDouble(), 1);
        Assert.True(root.GetProperty("images_per_second").GetDouble() > 0);
        Assert.StartsWith("{" + Environment.NewLine + "  \"model\"", output);

        var (predictCode, predicted) = Run("predict", "--model", dir.File("m.ocrf"), "--top", "3", Path.Combine(dir.Path, "data", "a", "0.png"));
        Assert.Equal(0, predictCode);
        var fields = predicted.Trim().Split('\t');
        Assert.Contains(fields[1], names);
        Assert.Matches(@"^\d+\.\d %", fields[2]);

        // --json: JSON Lines like a text model's, one record per image keyed by its path.
        string[] two = [Path.Combine(dir.Path, "data", "a", "0.png"), Path.Combine(dir.Path, "data", "b", "1.png")];
        var (jsonCode, lines) = Run(["predict", "--model", dir.File("m.ocrf"), "--top", "2", "--json", .. two]);
        Assert.Equal(0, jsonCode);
        var records = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(two, records.Select(r => r.GetProperty("path").GetString()));
        Assert.All(records, r => Assert.Contains(r.GetProperty("class").GetString(), names));
        Assert.All(records, r => Assert.Equal(2, r.GetProperty("top").GetArrayLength()));

        // CTC decoding does not apply to a classifier: refused, not ignored.
        var (beamCode, _) = Run("predict", "--model", dir.File("m.ocrf"), "--beam", "5", Path.Combine(dir.Path, "data", "a", "0.png"));
        Assert.Equal(2, beamCode);
        var (lexiconCode, _) = Run("eval", "--model", dir.File("m.ocrf"), "--data", Path.Combine(dir.Path, "data"), "--format", "folders", "--lexicon", dir.File("m.ocrf"));
        Assert.Equal(2, lexiconCode);
    }

    [Fact]
    public void Eval_of_a_missing_model_is_a_one_line_error_with_exit_code_2()
    {
        var error = new StringWriter();
        var old = Console.Error;
        Console.SetError(error);
        try
        {
            var (code, _) = Run("eval", "--model", "/nonexistent/m.ocrf", "--data", "/nonexistent");
            Assert.Equal(OcrForge.Cli.Commands.Cli.BadInput, code);
        }
        finally { Console.SetError(old); }
        Assert.Equal("error: /nonexistent/m.ocrf: no such model file", error.ToString().Trim());
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var root = new RootCommand();
        foreach (var c in CommandCatalog.All()) root.Subcommands.Add(c);
        var output = new StringWriter();
        var old = Console.Out;
        Console.SetOut(output);
        try { return (root.Parse(args).Invoke(), output.ToString()); }
        finally { Console.SetOut(old); }
    }
}
