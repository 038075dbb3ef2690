using System.Globalization;
using System.Text.Json.Nodes;
using OcrForge.Tuning;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>One formatter for every <c>tune</c> command: the same rows as a table, JSON or CSV.</summary>
public static class TuneOutput
{
    /// <summary>A trial as a flat row: fixed columns, then one column per parameter, then the reported steps.</summary>
    public static JsonObject Row(Trial t) => new()
    {
        ["number"] = t.Number,
        ["state"] = t.State.ToString().ToLowerInvariant(),
        ["value"] = t.Value,
        ["value_se"] = t.ValueStandardError,
        ["params"] = JsonNode.Parse(ParameterValues.ToJson(t.Params)),
        ["intermediate"] = new JsonObject(t.Intermediate.Select(kv
            => KeyValuePair.Create(kv.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
        ["duration_s"] = t.Duration?.TotalSeconds,
        ["started"] = t.Started?.ToString("O", CultureInfo.InvariantCulture),
        ["worker"] = t.Worker,
        ["threads"] = t.Threads,
        ["retries"] = t.Retries,
        ["failure"] = t.Failure,
    };

    public static void Json(JsonNode node) => JsonOutput.Write(node);

    public static string Csv(IReadOnlyList<Trial> trials)
    {
        var names = trials.SelectMany(t => t.Params.Keys).Distinct().ToList();
        int steps = trials.Select(t => t.Intermediate.Count == 0 ? 0
            : t.Intermediate.Keys.Max()).DefaultIfEmpty(0).Max();
        var header = new[]
            {
                "number", "state", "value", "value_se", "duration_s", "worker", "threads", "retries", "failure",
            }
            .Concat(names.Select(n => $"param_{n}")).Concat(Enumerable.Range(1, steps).Select(s => $"step_{s}"));
        var lines = new List<string> { string.Join(',', header) };
        foreach (var t in trials)
            lines.Add(string.Join(',', new object?[] { t.Number, t.State.ToString().ToLowerInvariant(), t.Value,
                t.ValueStandardError, t.Duration?.TotalSeconds, t.Worker, t.Threads, t.Retries, t.Failure }
                .Concat(names.Select(n => t.Params.GetValueOrDefault(n)))
                .Concat(Enumerable.Range(1, steps).Select(s => t.Intermediate.TryGetValue(s, out var v) ? (object)v
                    : null))
                .Select(Field)));
        return string.Join('\n', lines) + "\n";
    }

    private static string Field(object? v)
    {
        string s = v switch
        {
            null => "",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        };
        return s.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
    }

    public static string Params(IReadOnlyDictionary<string, object> values) =>
        string.Join(" ", values.Select(kv => $"{kv.Key}={ParameterValues.Format(kv.Value)}"));

    /// <summary>Counts by state, plus the best finished trial, of a study.</summary>
    public static JsonObject Summary(StudyInfo study, IReadOnlyList<Trial> trials)
    {
        var best = Best(study, trials);
        var counts = new JsonObject();
        foreach (var state in Enum.GetValues<TrialState>())
            counts[state.ToString().ToLowerInvariant()] = trials.Count(t => t.State == state);
        return new JsonObject
        {
            ["study"] = study.Name,
            ["direction"] = study.Direction.ToString().ToLowerInvariant(),
            ["definition"] = study.Definition.ToJson(),
            ["trials"] = counts,
            ["best"] = best is null ? null : Row(best),
        };
    }

    public static Trial? Best(StudyInfo study, IReadOnlyList<Trial> trials) =>
        trials.Where(t => t.State == TrialState.Complete && t.Value is not null)
            .OrderBy(t => study.Direction.Loss(t.Value!.Value)).ThenBy(t => t.Number).FirstOrDefault();

    public static void SummaryTable(JsonObject summary)
    {
        var table = new Table().AddColumns("study", "direction", "waiting", "running", "complete", "pruned", "failed",
            "best");
        var counts = summary["trials"]!.AsObject();
        var best = summary["best"];
        table.AddRow(summary["study"]!.ToString(), summary["direction"]!.ToString(), counts["waiting"]!.ToString(),
            counts["running"]!.ToString(), counts["complete"]!.ToString(), counts["pruned"]!.ToString(),
                counts["failed"]!.ToString(),
            best is null ? "–" : $"#{best["number"]}: {best["value"]!.GetValue<double>():G6}");
        AnsiConsole.Write(table);
        if (summary["definition"] is JsonObject d)
        {
            int parameters = d["space"]?["parameters"]?.AsObject().Count ?? 0;
            string Text(string key) => d[key]?.ToString() ?? "–";
            AnsiConsole.WriteLine(
                $"objective {Text("objective")}, data {Text("data")}, space of {parameters} parameters, " +
                $"{Text("epochs")} epochs, sampler {Text("sampler")} (seed {Text("seed")}), pruner {Text("pruner")}, " +
                $"cv {Text("cv")}");
        }
        if (best is not null)
            AnsiConsole.MarkupLineInterpolated(
                $"best parameters: {string.Join(" ", best["params"]!.AsObject().Select(kv
                    => $"{kv.Key}={kv.Value}"))}");
    }
}
