using System.Globalization;
using System.Text.Json.Nodes;
using OcrForge.Inference;
using OcrForge.Models;

namespace OcrForge.Tuning;

/// <summary>
/// Search spaces and model settings meet here: a space's <c>set.NAME</c> parameters are checked against the
/// presets' setting schemas (<see cref="ModelParameter"/>) before any trial runs, and a preset's searchable settings
/// can be turned into a space.
/// </summary>
public static class ModelSpace
{
    /// <summary>
    /// One-line errors, before a study starts, for a <c>set.NAME</c> that a preset of the space does not have or
    /// whose range reaches values the setting refuses (each end of a range and every choice is parsed as
    /// <c>--set</c> would).
    /// </summary>
    public static void Check(SearchSpace space, IEnumerable<string> presets, Func<string, ModelConfig> config)
    {
        var configs = presets.Select(p => (Name: p, Config: config(p))).ToList();
        foreach (var parameter in space.Parameters.Where(p => p.Name.StartsWith(TrainingParameters.SetPrefix,
                     StringComparison.Ordinal)))
        {
            string key = parameter.Name[TrainingParameters.SetPrefix.Length..];
            foreach (var (name, c) in configs)
            {
                var setting = c.Parameter(key) ?? throw new OcrForgeException(
                    $"parameters.{parameter.Name}: preset {name} has no setting '{key}' (known: " +
                    $"{string.Join(", ", c.Keys)})");
                foreach (string value in Values(parameter.Distribution))
                {
                    try { setting.Parse(value); }
                    catch (OcrForgeException)
                    {
                        throw new OcrForgeException(
                            $"parameters.{parameter.Name}: {value} is not a valid {key} (expected {setting.Accepts})");
                    }
                }
            }
        }
    }

    /// <summary>The values that bound what a distribution can give: both ends of a range, every choice.</summary>
    private static IEnumerable<string> Values(Distribution distribution) => distribution switch
    {
        IntDistribution d =>
            [d.Low.ToString(CultureInfo.InvariantCulture), d.High.ToString(CultureInfo.InvariantCulture)],
        FloatDistribution d => [d.Low.ToString("R", CultureInfo.InvariantCulture),
            d.High.ToString("R", CultureInfo.InvariantCulture)],
        CategoricalDistribution d => d.Choices,
        _ => [],
    };

    /// <summary>A <c>set.NAME</c> parameter for every setting of <paramref name="config"/> a search can explore:
    /// numbers with a default search range, switches and choices.</summary>
    public static IEnumerable<SearchParameter> Settings(ModelConfig config)
    {
        foreach (var p in config.Parameters)
        {
            Distribution? distribution = p.Type switch
            {
                ParameterType.Int or ParameterType.IntList when p.Search is { } r =>
                    new IntDistribution((long)r.Low, (long)r.High, Log: r.Log),
                ParameterType.Float when p.Search is { } r => new FloatDistribution(r.Low, r.High, r.Log),
                ParameterType.Bool or ParameterType.Choice when p.Searchable => new CategoricalDistribution(p.Choices),
                _ => null,
            };
            if (distribution is not null)
                yield return new SearchParameter(TrainingParameters.SetPrefix + p.Name, distribution);
        }
    }

    /// <summary>
    /// A space for one preset: its searchable settings, then the objective's default training parameters (the
    /// default space without its <c>preset</c> and <c>set.*</c> parameters).
    /// </summary>
    public static SearchSpace ForPreset(string objective, ModelConfig config) =>
        new(Settings(config).Concat(DefaultSpaces.For(objective).Parameters.Where(p =>
            p.Name != "preset" && !p.Name.StartsWith(TrainingParameters.SetPrefix, StringComparison.Ordinal))));

    /// <summary>The space as a YAML space file: one flow mapping per parameter (JSON objects are YAML too).</summary>
    public static string ToYaml(SearchSpace space, string comment)
    {
        var canonical = JsonNode.Parse(SearchSpaceFile.ToCanonicalJson(space))!["parameters"]!.AsObject();
        var lines = new List<string> { $"# {comment}", "parameters:" };
        lines.AddRange(canonical.Select(kv => $"  {kv.Key}: {kv.Value!.ToJsonString()}"));
        return string.Join('\n', lines) + "\n";
    }
}
