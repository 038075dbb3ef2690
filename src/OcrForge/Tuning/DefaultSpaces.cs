using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>
/// The search spaces shipped with OcrForge (<c>src/OcrForge/Tuning/Spaces/*.yaml</c>, embedded): what
/// <c>tune run</c> searches when no <c>--space</c> is given, and what <c>tune space</c> prints as a starting point.
/// </summary>
public static class DefaultSpaces
{
    /// <summary>The YAML text of an objective's default space.</summary>
    public static string Text(string objective)
    {
        Objectives.Require(objective);
        using var stream = typeof(DefaultSpaces).Assembly
            .GetManifestResourceStream($"OcrForge.Tuning.Spaces.{objective}.yaml")
            ?? throw new OcrForgeException($"--objective {objective}: no default space");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The default space as a JSON space file (same schema), for editing or tools that read JSON.</summary>
    public static string Json(string objective) => SearchSpaceFile.YamlToJson(Text(objective));

    /// <summary>
    /// A space for one preset of the objective's task, from the preset's setting schema and the objective's
    /// default training parameters: YAML, or an indented JSON space file.
    /// </summary>
    public static string ForPreset(string objective, string preset, bool json)
    {
        var config = Objectives.Training(objective, new ObjectiveSettings()).Config(preset, []);
        var space = ModelSpace.ForPreset(objective, config);
        string comment = $"Space for preset {preset} (--objective {objective}): its searchable settings, then the " +
            "default training parameters.";
        return json
            ? System.Text.Json.Nodes.JsonNode.Parse(SearchSpaceFile.ToCanonicalJson(space))!.ToJsonString(
                new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n"
            : ModelSpace.ToYaml(space, comment);
    }

    public static SearchSpace For(string objective) => SearchSpaceFile.ParseText(Text(objective), yaml: true);

    /// <summary>The space in <paramref name="path"/>, or the objective's default when none is given.</summary>
    public static SearchSpace Load(string? path, string objective) =>
        path is null ? For(objective) : SearchSpaceFile.Load(path);
}
