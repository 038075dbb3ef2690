using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>Objectives by <c>--objective</c> name.</summary>
public static class Objectives
{
    public static readonly string[] Names = ["synthetic", "ctc", "classify"];

    public static IObjective Create(string name, SearchSpace space, ObjectiveSettings settings)
    {
        if (settings.Folds is < 1 or > CrossValidation.MaxFolds)
            throw new OcrForgeException($"--cv {settings.Folds}: expected 2 to {CrossValidation.MaxFolds} folds (1 = off)");
        if (settings.Folds > 1 && name == "synthetic")
            throw new OcrForgeException("--cv: only for training objectives (ctc, classify)");
        IObjective objective = name switch
        {
            "synthetic" => new SyntheticObjective(space, settings.Epochs, settings.EpochDelay),
            "ctc" => new CtcObjective(settings),
            "classify" => new ClassifyObjective(settings),
            _ => throw Unknown(name),
        };
        objective.Check(space);
        return objective;
    }

    /// <summary>A training objective by name, unchecked: what <c>tune best</c> needs to turn trials back into
    /// runs.</summary>
    public static ITrainingObjective Training(string name, ObjectiveSettings settings) => name switch
    {
        "ctc" => new CtcObjective(settings),
        "classify" => new ClassifyObjective(settings),
        "synthetic" => throw new OcrForgeException("--objective synthetic: its trials train nothing; expected ctc or classify"),
        _ => throw Unknown(name),
    };

    /// <summary>The direction a study for this objective optimises, without building the objective.</summary>
    public static StudyDirection Direction(string name) => name switch
    {
        "synthetic" => StudyDirection.Minimize,
        "ctc" or "classify" => StudyDirection.Maximize,
        _ => throw Unknown(name),
    };

    /// <summary>Throws the one-line error for a name that is not an objective.</summary>
    public static void Require(string name)
    {
        if (!Names.Contains(name)) throw Unknown(name);
    }

    private static OcrForgeException Unknown(string name) =>
        new($"--objective {name}: expected {string.Join(", ", Names[..^1])} or {Names[^1]}");
}
