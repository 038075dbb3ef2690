using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.IO;
using OcrForge.Training;

namespace OcrForge.Evaluation;

/// <summary>
/// <c>eval --cv K</c>: the cross-validated estimate of the configuration a model file was trained with. A model's
/// weights say nothing about how its recipe generalises on a small set (they have seen its training images); the run
/// specification stored in the <c>.ocrf</c> does, so it is trained again fold by fold
/// (<see cref="Runs.CrossValidate"/>, the function <c>train --cv</c> and <c>tune run --cv</c> call): same
/// specification, data and seed give their value.
/// </summary>
public static class ModelCrossValidation
{
    /// <summary>
    /// The run specification stored in <paramref name="modelPath"/>, with the data, format and thread count replaced
    /// where given (the thread count, like the seed, decides the exact values).
    /// </summary>
    public static RunSpecification Specification(string modelPath, string? data = null, DatasetFormat? format = null,
        int? threads = null)
    {
        if (!modelPath.EndsWith(ModelFile.Extension, StringComparison.OrdinalIgnoreCase))
            throw new OcrForgeException($"{modelPath}: --cv needs a {ModelFile.Extension} model file (it records its " +
                "run specification; an exported model does not)");
        if (!File.Exists(modelPath)) throw new OcrForgeException($"{modelPath}: no such model file");
        var run = ModelFile.ReadManifest(modelPath).Run
            ?? throw new OcrForgeException($"{modelPath}: the model file records no run specification (trained by " +
                "an older version); cross-validate its configuration with train --cv");
        string path = data ?? run.Data.Path;
        if (!Directory.Exists(path) && !File.Exists(path))
            throw new OcrForgeException(data is null
                ? $"{modelPath}: its training data {path} is not found; give --data"
                : $"--data {path}: not found");
        return run with
        {
            Data = run.Data with { Path = path, Format = format ?? run.Data.Format },
            Training = run.Training with { Threads = threads ?? run.Training.Threads },
        };
    }

    /// <summary>The estimate over <paramref name="k"/> folds of the model's configuration (see
    /// <see cref="Specification"/>).</summary>
    public static CrossValidationResult Run(string modelPath, int k, string? data = null, DatasetFormat? format = null,
        int? threads = null, Action? nextFold = null, CancellationToken cancellationToken = default) =>
        Runs.CrossValidate(Specification(modelPath, data, format, threads), k, nextFold: nextFold,
            cancellationToken: cancellationToken);
}
