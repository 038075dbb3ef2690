using System.CommandLine;
using OcrForge.Data;
using OcrForge.Evaluation;
using OcrForge.Inference;

namespace OcrForge.Cli.Commands;

/// <summary><c>eval --cv K</c>: the cross-validated estimate of the configuration a model file was trained with
/// (<see cref="ModelCrossValidation"/>), printed as <c>train --cv K</c> prints it.</summary>
public static class EvalCrossValidation
{
    public static Option<int> CreateOption() => new("--cv")
    {
        Description = "Instead of evaluating the weights, estimate the model's training configuration (the run " +
            "specification stored in the .ocrf) by K-fold cross-validation on --data (default: its training data): " +
            "the mean over K folds with its standard error, as train --cv K gives it. 1 = off.",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>
    /// Runs the estimate; <paramref name="notWithCv"/> are eval's options about evaluating the weights, refused with
    /// one line when given.
    /// </summary>
    public static int Run(ParseResult parse, string modelPath, int k, Option<string?> data,
        Option<DatasetFormat> format, Option<int?> threads, bool json, IEnumerable<Option> notWithCv)
    {
        foreach (var option in notWithCv)
            if (parse.GetResult(option) is { Implicit: false })
                throw new OcrForgeException($"{option.Name}: does not apply with --cv (which trains the model's " +
                    "configuration again rather than evaluating its weights)");
        var spec = ModelCrossValidation.Specification(modelPath, parse.GetValue(data),
            parse.GetResult(format) is { Implicit: false } ? parse.GetValue(format) : null, parse.GetValue(threads));
        using var cancel = new CancelOnCtrlC();
        var estimate = TrainCrossValidation.Run(spec, k, json, cancel.Token)!;
        if (json)
            JsonOutput.Write(new
            {
                task = spec.Task == Training.RunTask.Ctc ? "text_recognition" : "classification",
                model = modelPath, preset = spec.Model.Preset, data = spec.Data.Path, seed = spec.Training.Seed,
                cross_validation = TrainCrossValidation.Json(estimate),
            });
        return Cli.Ok;
    }
}
