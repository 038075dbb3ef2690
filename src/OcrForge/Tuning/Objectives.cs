using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>Objectives by <c>--objective</c> name.</summary>
public static class Objectives
{
    public static readonly string[] Names = ["synthetic", "ctc"];

    public static IObjective Create(string name, SearchSpace space, ObjectiveSettings settings)
    {
        IObjective objective = name switch
        {
            "synthetic" => new SyntheticObjective(space, settings.Epochs, settings.EpochDelay),
            "ctc" => new CtcObjective(settings),
            _ => throw new OcrForgeException($"--objective {name}: expected {string.Join(" or ", Names)}"),
        };
        objective.Check(space);
        return objective;
    }

    /// <summary>The direction a study for this objective optimises, without building the objective.</summary>
    public static StudyDirection Direction(string name) => name switch
    {
        "synthetic" => StudyDirection.Minimize,
        "ctc" => StudyDirection.Maximize,
        _ => throw new OcrForgeException($"--objective {name}: expected {string.Join(" or ", Names)}"),
    };
}
