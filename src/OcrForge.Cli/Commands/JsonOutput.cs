using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace OcrForge.Cli.Commands;

/// <summary>
/// The one formatter of every <c>--json</c> output (docs/cli-json.md): snake_case keys, nulls written (a key is
/// always there, so scripts need no existence checks), NaN and ±Infinity as the strings "NaN" and "Infinity" (an
/// epoch without validation). A result is one indented document; per-image output is JSON Lines, one compact
/// object per line.
/// </summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Document = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly JsonSerializerOptions Line = new(Document) { WriteIndented = false };

    public static string Serialize(object document) => Serialize(document, Document);

    /// <summary>Prints one result document on stdout.</summary>
    public static void Write(object document) => Console.Out.WriteLine(Serialize(document));

    /// <summary>Prints one JSON Lines record (one image's result) on stdout.</summary>
    public static void WriteLine(object record) => Console.Out.WriteLine(Serialize(record, Line));

    private static string Serialize(object value, JsonSerializerOptions options) => value is JsonNode node
        ? node.ToJsonString(options)
        : JsonSerializer.Serialize(value, value.GetType(), options);
}
