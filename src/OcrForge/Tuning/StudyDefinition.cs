using System.Text.Json.Nodes;
using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>
/// What a study optimises, recorded when it is created: the objective (<c>ctc</c>, <c>classify</c>,
/// <c>synthetic[:NAME]</c>), the data (an absolute path; null for synthetic objectives), the space as canonical JSON
/// (<see cref="SearchSpaceFile.ToCanonicalJson"/>), and the settings of the run that created it: epoch budget,
/// sampler and seed, pruner, cross-validation folds. Any field may be null: a study created by an older version or by
/// <c>tune enqueue</c> (which knows no data) has the missing ones filled in by the next worker that gives them.
/// </summary>
public sealed record StudyDefinition
{
    public string? Objective { get; init; }
    public string? Data { get; init; }
    public string? Space { get; init; }
    public int? Epochs { get; init; }
    public string? Sampler { get; init; }
    public int? Seed { get; init; }
    public string? Pruner { get; init; }
    public int? Folds { get; init; }

    /// <summary>A definition whose data path is made absolute, so that workers started in other folders
    /// compare equal.</summary>
    public static StudyDefinition Create(string objective, string? data, SearchSpace space, int? epochs = null,
        string? sampler = null, int? seed = null, string? pruner = null, int? folds = null) => new()
    {
        Objective = objective,
        Data = data is null ? null : Path.GetFullPath(data),
        Space = SearchSpaceFile.ToCanonicalJson(space),
        Epochs = epochs,
        Sampler = sampler,
        Seed = seed,
        Pruner = pruner,
        Folds = folds,
    };

    /// <summary>
    /// Why a worker giving <paramref name="given"/> may not join a study recorded as this one: the first of objective,
    /// data and space that both give and that differ, as a phrase for a one-line error; null when they agree. The run
    /// settings (epochs, sampler, pruner, folds) may differ between workers.
    /// </summary>
    public string? Difference(StudyDefinition given)
    {
        if (Objective is not null && given.Objective is not null && Objective != given.Objective)
            return $"its objective is {Objective}, not {given.Objective}";
        if (Data is not null && given.Data is not null && Data != given.Data)
            return $"its data is {Data}, not {given.Data}";
        if (Space is not null && given.Space is not null && Space != given.Space)
            return $"its space differs ({SpaceDifference(Space, given.Space)})";
        return null;
    }

    /// <summary>This definition with its missing fields taken from <paramref name="given"/> (recorded values
    /// win).</summary>
    public StudyDefinition Complete(StudyDefinition given) => new()
    {
        Objective = Objective ?? given.Objective,
        Data = Data ?? given.Data,
        Space = Space ?? given.Space,
        Epochs = Epochs ?? given.Epochs,
        Sampler = Sampler ?? given.Sampler,
        Seed = Seed ?? given.Seed,
        Pruner = Pruner ?? given.Pruner,
        Folds = Folds ?? given.Folds,
    };

    /// <summary>The recorded space, parsed.</summary>
    public SearchSpace? SearchSpace => Space is null ? null : SearchSpaceFile.ParseText(Space, yaml: false);

    public JsonObject ToJson() => new()
    {
        ["objective"] = Objective,
        ["data"] = Data,
        ["space"] = Space is null ? null : JsonNode.Parse(Space),
        ["epochs"] = Epochs,
        ["sampler"] = Sampler,
        ["seed"] = Seed,
        ["pruner"] = Pruner,
        ["cv"] = Folds,
    };

    /// <summary>The first parameter the two canonical spaces disagree on.</summary>
    private static string SpaceDifference(string recorded, string given)
    {
        var a = JsonNode.Parse(recorded)?["parameters"] as JsonObject ?? [];
        var b = JsonNode.Parse(given)?["parameters"] as JsonObject ?? [];
        foreach (var (name, value) in a)
        {
            if (!b.ContainsKey(name)) return $"parameter {name} is missing";
            if (value?.ToJsonString() != b[name]?.ToJsonString())
                return $"parameter {name}: {value?.ToJsonString()}, not {b[name]?.ToJsonString()}";
        }
        foreach (var (name, _) in b)
            if (!a.ContainsKey(name)) return $"parameter {name} is not in it";
        return "parameter order";
    }

    /// <summary>
    /// What a worker runs when it joins <paramref name="existing"/> (null: a new study): each of objective, data and
    /// space that the worker does not give is the study's (data and space only while the objective is the study's);
    /// then the objective's default space, and the synthetic objective. A value given that differs from the study's
    /// is refused later, by <see cref="IStudyStorage.CreateStudy"/>.
    /// </summary>
    /// <param name="space">The worker's space (a file it read before touching the storage), or null.</param>
    public static (string Objective, string? Data, SearchSpace Space) Resolve(StudyInfo? existing, string? objective,
        string? data, SearchSpace? space)
    {
        var recorded = existing?.Definition ?? new StudyDefinition();
        string name = objective ?? recorded.Objective ?? "synthetic";
        Objectives.Require(name);
        bool same = name == recorded.Objective;
        var searched = space ?? (same && recorded.SearchSpace is { } stored ? stored : DefaultSpaces.For(name));
        return (name, data ?? (same ? recorded.Data : null), searched);
    }

    /// <summary>The one-line error for a worker that may not join.</summary>
    internal static OcrForgeException Refused(string study, string difference) =>
        new($"study {study}: {difference}; use another --study or the study's settings");
}
