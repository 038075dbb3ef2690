using System.Text.Json.Nodes;
using OcrForge.Data;

namespace OcrForge.Cli.Commands;

/// <summary>
/// Warns of skipped files as the library reports them, each file once: a study reads its data again for every input
/// size its trials try, and would otherwise name the same corrupt file each time.
/// </summary>
/// <param name="warn">False for the worker processes of <c>tune run --workers N</c> but the first: they read the
/// same data, and the user should see each file named once.</param>
/// <param name="hint">What the last warning line says about the rest, when there are too many to name.</param>
public sealed class SkippedOnce(bool warn = true, string? hint = "all are listed by --json")
    : IProgress<IReadOnlyList<DataProblem>>
{
    private readonly List<DataProblem> _seen = [];

    public IReadOnlyList<DataProblem> Problems => _seen;

    public void Report(IReadOnlyList<DataProblem> value)
    {
        // Locked: a study's objective reports from whichever thread runs the trial.
        lock (_seen)
        {
            var fresh = value.Where(p => !_seen.Contains(p)).ToList();
            _seen.AddRange(fresh);
            if (warn) Cli.WarnSkipped(fresh, hint);
        }
    }

    /// <summary>
    /// Adds <c>skipped</c> (a count) and <c>problems</c> [{path, reason}] to a result document; both null when the
    /// data was read by other processes (worker processes warn on their own stderr).
    /// </summary>
    public void AddTo(JsonObject document, bool known)
    {
        document["skipped"] = known ? _seen.Count : null;
        document["problems"] = known
            ? new JsonArray(_seen.Select(p => (JsonNode)new JsonObject { ["path"] = p.Path, ["reason"] = p.Reason })
                .ToArray())
            : null;
    }
}
