using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OcrForge.Inference;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OcrForge.Tuning;

/// <summary>
/// Reads a search space from JSON or YAML (chosen by extension; one schema, docs/tuning.md). YAML is first turned
/// into the same JSON tree, so both formats go through one validator and give the same one-line errors.
/// </summary>
public static class SearchSpaceFile
{
    private static readonly string[] NumericFields = ["type", "low", "high", "step", "log", "when"];
    private static readonly string[] CategoricalFields = ["type", "choices", "when"];

    public static SearchSpace Load(string path)
    {
        if (!File.Exists(path)) throw new OcrForgeException($"{path}: no such file");
        string text = File.ReadAllText(path);
        bool yaml = Path.GetExtension(path).ToLowerInvariant() is ".yaml" or ".yml";
        try
        {
            return Parse(yaml ? ParseYaml(text) : ParseJson(text));
        }
        catch (OcrForgeException e)
        {
            throw new OcrForgeException($"{path}: {e.Message}");
        }
    }

    public static SearchSpace ParseText(string text, bool yaml) => Parse(yaml ? ParseYaml(text) : ParseJson(text));

    /// <summary>
    /// The space as compact JSON in the space-file schema with every field spelled out in a fixed order, so that two
    /// files meaning the same space (YAML or JSON, defaults left out or given) give the same text: what a study
    /// records and compares.
    /// </summary>
    public static string ToCanonicalJson(SearchSpace space)
    {
        var parameters = new JsonObject();
        foreach (var p in space.Parameters)
        {
            var o = p.Distribution switch
            {
                IntDistribution d => new JsonObject { ["type"] = "int", ["low"] = d.Low, ["high"] = d.High,
                    ["step"] = d.Step, ["log"] = d.Log },
                FloatDistribution d => new JsonObject { ["type"] = "float", ["low"] = d.Low, ["high"] = d.High,
                    ["step"] = d.Step, ["log"] = d.Log },
                CategoricalDistribution d => new JsonObject { ["type"] = "categorical",
                    ["choices"] = new JsonArray(d.Choices.Select(c => (JsonNode)c).ToArray()) },
                _ => throw new ArgumentException($"unknown distribution {p.Distribution.GetType().Name}"),
            };
            if (o["step"] is null) o.Remove("step");
            if (p.Condition is { } c)
                o["when"] = new JsonObject { [c.Parent] = new JsonArray(c.Values.Select(v => (JsonNode)v).ToArray()) };
            parameters[p.Name] = o;
        }
        return new JsonObject { ["parameters"] = parameters }.ToJsonString();
    }

    /// <summary>A YAML space as the equivalent JSON space file (indented).</summary>
    public static string YamlToJson(string yaml) =>
        ParseYaml(yaml)?.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) ?? "{}";

    private static JsonNode? ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new OcrForgeException($"invalid JSON: {e.Message}");
        }
    }

    private static JsonNode? ParseYaml(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 0 ? null : FromYaml(stream.Documents[0].RootNode);
        }
        catch (YamlException e)
        {
            throw new OcrForgeException($"invalid YAML at line {e.Start.Line}: {e.Message}");
        }
    }

    private static JsonNode? FromYaml(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", FromYaml(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(FromYaml).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } s => PlainScalar(s.Value ?? ""),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new OcrForgeException($"line {node.Start.Line}: unsupported YAML node"),
    };

    // YAML's plain scalars carry their type in their spelling: 1e-3 is a number, true a bool, sgd a string.
    private static JsonNode? PlainScalar(string v) =>
        v is "" or "~" or "null" ? null
        : v is "true" or "false" ? JsonValue.Create(v == "true")
        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? JsonValue.Create(d)
        : JsonValue.Create(v);

    private static SearchSpace Parse(JsonNode? root)
    {
        if (root is not JsonObject top) throw new OcrForgeException("expected an object with a 'parameters' field");
        foreach (var (key, _) in top)
            if (key != "parameters") throw new OcrForgeException($"{key}: unknown field (expected 'parameters')");
        if (top["parameters"] is not JsonObject parameters)
            throw new OcrForgeException("parameters: expected an object of named parameters");
        return new SearchSpace(parameters.Select(kv => ParseParameter(kv.Key, kv.Value)).ToList());
    }

    private static SearchParameter ParseParameter(string name, JsonNode? node)
    {
        string field = $"parameters.{name}";
        if (node is not JsonObject obj) throw new OcrForgeException($"{field}: expected an object with a 'type'");
        string type = String(obj, field, "type")
            ?? throw new OcrForgeException($"{field}.type: missing (int, float or categorical)");
        var allowed = type == "categorical" ? CategoricalFields : NumericFields;
        foreach (var (key, _) in obj)
            if (!allowed.Contains(key))
                throw new OcrForgeException($"{field}.{key}: unknown field for a {type} parameter (allowed: " +
                $"{string.Join(", ", allowed)})");
        Distribution distribution = type switch
        {
            "int" => new IntDistribution(Integer(obj, field, "low"), Integer(obj, field, "high"),
                obj.ContainsKey("step") ? Integer(obj, field, "step") : 1, Bool(obj, field, "log")),
            "float" => new FloatDistribution(Number(obj, field, "low"), Number(obj, field, "high"), Bool(obj, field,
                "log"),
                obj.ContainsKey("step") ? Number(obj, field, "step") : null),
            "categorical" => new CategoricalDistribution(Choices(obj, field)),
            _ => throw new OcrForgeException($"{field}.type: '{type}' is not a type (int, float or categorical)"),
        };
        return new SearchParameter(name, distribution, Condition(obj, field));
    }

    private static ParameterCondition? Condition(JsonObject obj, string field)
    {
        if (!obj.TryGetPropertyValue("when", out var node)) return null;
        if (node is not JsonObject when || when.Count != 1)
            throw new OcrForgeException($"{field}.when: expected one parent, e.g. when: {{ optimizer: [sgd] }}");
        var (parent, values) = when.First();
        var list = values switch
        {
            JsonArray a => a.Select(v => ScalarText(v, $"{field}.when.{parent}")).ToList(),
            _ => [ScalarText(values, $"{field}.when.{parent}")],
        };
        return new ParameterCondition(parent, list);
    }

    private static List<string> Choices(JsonObject obj, string field)
    {
        if (obj["choices"] is not JsonArray a) throw new OcrForgeException($"{field}.choices: expected a list");
        return a.Select((v, i) => ScalarText(v, $"{field}.choices[{i}]")).ToList();
    }

    private static string ScalarText(JsonNode? node, string field) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.GetValue<double>().ToString(CultureInfo.InvariantCulture),
            JsonValueKind.True or JsonValueKind.False => v.GetValueKind() == JsonValueKind.True ? "true" : "false",
            _ => throw new OcrForgeException($"{field}: expected a string or number"),
        }
        : throw new OcrForgeException($"{field}: expected a string or number");

    private static string? String(JsonObject obj, string field, string key) =>
        !obj.TryGetPropertyValue(key, out var n) ? null
        : n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
        : throw new OcrForgeException($"{field}.{key}: expected a string");

    private static double Number(JsonObject obj, string field, string key) =>
        obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>()
        : throw new OcrForgeException($"{field}.{key}: {(obj.ContainsKey(key) ? "expected a number" : "missing")}");

    private static long Integer(JsonObject obj, string field, string key)
    {
        double d = Number(obj, field, key);
        return d == Math.Floor(d) && Math.Abs(d) < 1e15 ? (long)d
            : throw new OcrForgeException($"{field}.{key}: expected an integer (got {d})");
    }

    private static bool Bool(JsonObject obj, string field, string key) =>
        !obj.TryGetPropertyValue(key, out var n) ? false
        : n is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>()
        : throw new OcrForgeException($"{field}.{key}: expected true or false");
}
