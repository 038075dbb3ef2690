using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>
/// Parameter values as the storage keeps them (a JSON object) and as a user types them (<c>name=value</c>); typed by
/// the search space, so <c>16</c> is an int for an int parameter and a float for a float one.
/// </summary>
public static class ParameterValues
{
    public static string ToJson(IReadOnlyDictionary<string, object> values)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in values)
            obj[k] = v switch
            {
                long l => JsonValue.Create(l),
                double d => JsonValue.Create(d),
                string s => JsonValue.Create(s),
                _ => throw new ArgumentException($"parameter {k}: unsupported value type {v.GetType().Name}"),
            };
        return obj.ToJsonString();
    }

    /// <summary>Whole JSON numbers come back as long, others as double, strings as string (insertion order
    /// kept).</summary>
    public static Dictionary<string, object> FromJson(string? json)
    {
        var result = new Dictionary<string, object>();
        if (string.IsNullOrEmpty(json)) return result;
        using var doc = JsonDocument.Parse(json);
        foreach (var p in doc.RootElement.EnumerateObject())
            result[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Number when p.Value.TryGetInt64(out long l) && !p.Value.GetRawText().Contains('.')
                    && !p.Value.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase) => l,
                JsonValueKind.Number => p.Value.GetDouble(),
                _ => throw new FormatException($"parameter {p.Name}: unexpected JSON {p.Value.ValueKind}"),
            };
        return result;
    }

    /// <summary>Parses <c>name=value</c> pairs against the space (one-line errors name the pair).</summary>
    public static Dictionary<string, object> Parse(SearchSpace space, IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, object>();
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new OcrForgeException($"{pair}: expected name=value");
            string name = pair[..eq].Trim(), text = pair[(eq + 1)..].Trim();
            var p = space.Find(name)
                ?? throw new OcrForgeException($"{name}: unknown parameter (known: {string.Join(", ",
                space.Parameters.Select(q => q.Name))})");
            result[name] = p.Distribution switch
            {
                IntDistribution when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture,
                    out long l) => l,
                FloatDistribution when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture,
                    out double d) => d,
                CategoricalDistribution => text,
                _ => throw new OcrForgeException($"{pair}: expected {(p.Distribution is IntDistribution ? "an integer"
                    : "a number")}"),
            };
        }
        space.CheckFixed(result);
        return result;
    }

    /// <summary>Normalises a stored value to the type the parameter's distribution uses (a float stored as 2 →
    /// 2.0).</summary>
    public static object Coerce(Distribution distribution, object value) => distribution switch
    {
        FloatDistribution when value is long l => (double)l,
        _ => value,
    };

    public static string Format(object value) => value switch
    {
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
