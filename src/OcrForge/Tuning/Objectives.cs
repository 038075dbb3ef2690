using OcrForge.Inference;
using OcrForge.Training;

namespace OcrForge.Tuning;

/// <summary>Objectives by <c>--objective</c> name.</summary>
public static class Objectives
{
    public static readonly string[] Names = ["synthetic", "ctc", "classify"];

    public static IObjective Create(string name, SearchSpace space, ObjectiveSettings settings)
    {
        if (settings.Folds is < 1 or > CrossValidation.MaxFolds)
            throw new OcrForgeException(
                $"--cv {settings.Folds}: expected 2 to {CrossValidation.MaxFolds} folds (1 = off)");
        if (settings.Folds > 1 && IsSynthetic(name))
            throw new OcrForgeException("--cv: only for training objectives (ctc, classify)");
        IObjective objective = name switch
        {
            "synthetic" => new SyntheticObjective(space, settings.Epochs, settings.EpochDelay),
            _ when name.StartsWith(SyntheticPrefix, StringComparison.Ordinal) => new SyntheticObjective(space,
                settings.Epochs, settings.EpochDelay, Function(name)),
            "ctc" => new CtcObjective(settings),
            "classify" => new ClassifyObjective(settings),
            _ => throw Unknown(name),
        };
        objective.Check(space);
        return objective;
    }

    /// <summary>
    /// What a worker can check before it touches the storage, so bad input writes nothing: the objective's name,
    /// and, when the worker names its data (or the objective needs none), the space against the objective (its
    /// parameters, presets and model settings). A worker joining with less takes the study's, checked later.
    /// </summary>
    public static void CheckGiven(string? objective, SearchSpace? space, string? data, int epochs)
    {
        if (objective is null) return;
        Require(objective);
        if (IsSynthetic(objective) || data is not null)
            Create(objective, space ?? DefaultSpaces.For(objective),
                new ObjectiveSettings { Data = data, Epochs = epochs });
    }

    /// <summary>A training objective by name, unchecked: what <c>tune best</c> needs to turn trials back into
    /// runs.</summary>
    public static ITrainingObjective Training(string name, ObjectiveSettings settings) => name switch
    {
        _ when IsSynthetic(name) => throw new OcrForgeException(
            $"--objective {name}: its trials train nothing; expected ctc or classify"),
        "ctc" => new CtcObjective(settings),
        "classify" => new ClassifyObjective(settings),
        _ => throw Unknown(name),
    };

    /// <summary>The direction a study for this objective optimises, without building the objective.</summary>
    public static StudyDirection Direction(string name)
    {
        Require(name);
        return IsSynthetic(name) ? StudyDirection.Minimize : StudyDirection.Maximize;
    }

    /// <summary>Throws the one-line error for a name that is not an objective.</summary>
    public static void Require(string name)
    {
        if (name.StartsWith(SyntheticPrefix, StringComparison.Ordinal)) Function(name);
        else if (!Names.Contains(name)) throw Unknown(name);
    }

    /// <summary><c>synthetic:NAME</c> runs the benchmark function NAME (<see cref="BenchmarkFunction"/>) instead of
    /// Branin.</summary>
    private const string SyntheticPrefix = "synthetic:";

    private static bool IsSynthetic(string name) => name == "synthetic" || name.StartsWith(SyntheticPrefix,
        StringComparison.Ordinal);

    private static BenchmarkFunction? Function(string name) => name == "synthetic" ? null
        : BenchmarkFunction.All.FirstOrDefault(f => f.Name == name[SyntheticPrefix.Length..])
          ?? throw new OcrForgeException($"--objective {name}: unknown function (expected synthetic:" +
              $"{string.Join(", synthetic:", BenchmarkFunction.All.Select(f => f.Name))})");

    private static OcrForgeException Unknown(string name) =>
        new($"--objective {name}: expected {string.Join(", ", Names[..^1])} or {Names[^1]}");
}
