using System.CommandLine;
using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>train ctc|classify --cv K</c>: the cross-validated estimate of the run's configuration
/// (<see cref="Runs.CrossValidate"/>, the value <c>tune run --cv K</c> gives a trial), before the model itself is
/// trained on the usual split.</summary>
public static class TrainCrossValidation
{
    public static Option<int> CreateOption() => new("--cv")
    {
        Description = "Also estimate this configuration by K-fold cross-validation (the mean over K folds of the " +
            "training and validation images, with its standard error; as tune run --cv K) before training the " +
            "model. 1 = off.",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>The estimate, or null when <paramref name="k"/> is 1; printed as it comes unless
    /// <paramref name="json"/>.</summary>
    public static CrossValidationResult? Run(RunSpecification spec, int k, bool json,
        CancellationToken cancellationToken)
    {
        if (k == 1) return null;
        int fold = 0;
        void Next() { if (!json) AnsiConsole.MarkupLineInterpolated($"cross-validation: fold {++fold} of {k} done"); }
        var result = Runs.CrossValidate(spec, k, nextFold: Next, cancellationToken: cancellationToken);
        if (!json)
        {
            string folds = string.Join(", ", result.Folds.Select(v => v.ToString("P2")));
            AnsiConsole.MarkupLine("[bold]" + Markup.Escape($"cross-validated validation accuracy over {k} folds: " +
                $"{result.Mean:P2} ± {result.StandardError:P2}") + "[/]" +
                Markup.Escape($" (folds: {folds}; {result.Images} images)"));
        }
        return result;
    }

    /// <summary>The estimate as the <c>cross_validation</c> field of the command's JSON (null when off).</summary>
    public static object? Json(CrossValidationResult? r) => r is null ? null : new
    {
        folds = r.Folds.Count, mean = r.Mean, standard_error = r.StandardError, fold_values = r.Folds,
        best_epochs = r.BestEpochs, images = r.Images,
    };
}
