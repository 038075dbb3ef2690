using System.Text.Json.Nodes;
using OcrForge.Data;
using OcrForge.Evaluation;
using OcrForge.Inference;
using OcrForge.Tests.Classification;

namespace OcrForge.Tests.Cli;

/// <summary><c>eval --cv K</c>: the configuration stored in a model file, cross-validated as <c>train --cv K</c>
/// does it.</summary>
public sealed class EvalCrossValidationTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _data;

    public EvalCrossValidationTests()
    {
        // Four bar angles as classes a–d, one folder each: learnt in one epoch, so the folds' values differ.
        _data = Directory.CreateDirectory(_dir.File("data")).FullName;
        foreach (var (image, i) in TinyCharacters.Make(25).Select((image, i) => (image, i)))
        {
            var folder = Directory.CreateDirectory(Path.Combine(_data, "abcd"[image.Class].ToString())).FullName;
            ImageWriter.WritePng(image.Image, Path.Combine(folder, $"{i:D3}.png"));
        }
    }

    public void Dispose() => _dir.Dispose();

    private string TrainTiny(string name, out JsonNode trainCv)
    {
        var model = _dir.File(name);
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(2), "train", "classify", "--data", _data,
            "--format", "folders", "--preset", "chars74k-cnn", "--set", "filters=8,8,8,16,16,16", "--epochs", "1",
            "--lr", "0.03", "--batch-size", "8", "--optimizer", "adam", "--seed", "2", "--threads", "1", "--cv", "2",
            "--out", model, "--json");
        Assert.True(code == 0, stderr);
        trainCv = JsonNode.Parse(stdout)!["cross_validation"]!;
        return model;
    }

    [Fact]
    public void Eval_cv_of_a_model_gives_exactly_the_estimate_train_cv_gave_for_its_configuration()
    {
        // Given a tiny classifier trained with --cv 2 (the estimate of its configuration, seed 2, one thread)
        var model = TrainTiny("m.ocrf", out var trainCv);

        // When eval cross-validates the model file (its stored run specification, on its own training data)
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(2), "eval", "--model", model, "--cv", "2",
            "--json");

        // Then the estimate is the same, fold by fold, and it is not a constant
        Assert.True(code == 0, stderr);
        var result = JsonNode.Parse(stdout)!;
        var evalCv = result["cross_validation"]!;
        Assert.Equal(trainCv.ToJsonString(), evalCv.ToJsonString());
        Assert.Equal(2, evalCv["folds"]!.GetValue<int>());
        var folds = evalCv["fold_values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.NotEqual(folds[0], folds[1]);
        Assert.Equal(("classification", Path.GetFullPath(_data), 2), (result["task"]!.GetValue<string>(),
            result["data"]!.GetValue<string>(), result["seed"]!.GetValue<int>()));

        // And the table output prints the same line as train --cv
        var (textCode, text, textErr) = CliProcess.Run(TimeSpan.FromMinutes(2), "eval", "--model", model, "--cv", "2");
        Assert.True(textCode == 0, textErr);
        Assert.Contains($"cross-validated validation accuracy over 2 folds: {evalCv["mean"]!.GetValue<double>():P2}",
            text);
    }

    [Fact]
    public void The_data_can_be_replaced_and_bad_input_is_one_line()
    {
        var model = TrainTiny("m.ocrf", out var trainCv);
        // The same images under another folder: the estimate follows the data, not the path.
        var copy = Directory.CreateDirectory(_dir.File("copy")).FullName;
        foreach (var folder in Directory.GetDirectories(_data))
        {
            var target = Directory.CreateDirectory(Path.Combine(copy, Path.GetFileName(folder))).FullName;
            foreach (var file in Directory.GetFiles(folder))
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        var spec = ModelCrossValidation.Specification(model, copy, threads: 1);
        Assert.Equal((copy, 1, "chars74k-cnn"), (spec.Data.Path, spec.Training.Threads, spec.Model.Preset));
        var estimate = ModelCrossValidation.Run(model, 2, copy);
        Assert.Equal(trainCv["mean"]!.GetValue<double>(), estimate.Mean);

        foreach (var (args, message) in new (string[], string)[]
        {
            (["--cv", "2", "--beam", "3"], "--beam: does not apply with --cv"),
            (["--cv", "2", "--data", _dir.File("nowhere")], $"--data {_dir.File("nowhere")}: not found"),
            (["--cv", "1"], "--data: required (only eval --cv defaults to the model's training data)"),
            (["--cv", "21"], "--cv 21: expected 2 to 20 folds (1 = off)"),
        })
        {
            var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(1), ["eval", "--model", model, .. args]);
            Assert.NotEqual(0, code);
            Assert.StartsWith($"error: {message}", stderr.Trim());
            Assert.DoesNotContain('\n', stderr.Trim());
        }
        var onnx = _dir.File("m.onnx");
        File.WriteAllText(onnx, "not read");
        var e = Assert.Throws<OcrForgeException>(() => ModelCrossValidation.Specification(onnx));
        Assert.StartsWith($"{onnx}: --cv needs a .ocrf model file", e.Message);
    }
}
