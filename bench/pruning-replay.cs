// Pruning savings by replay (issue 13): what a pruner would have saved on studies run without one. A trial's
// training is seeded by the study (same configuration, same per-epoch values), and a pruned trial's values are the
// first epochs of the same trial run in full, so a study's `tune export --json` (pruner none) holds everything a
// pruner would have seen. This replays OcrForge's own pruners (Pruners.Create) over those trials, one worker in
// trial order, as StudyRunner asks them after every epoch. It is exact while the configurations do not depend on
// the pruner: random search, and TPE's start-up trials (10); later TPE trials would have been sampled differently.
// The epochs are exact. Time is each trial's duration × epochs kept / epochs run, or with --epoch-cost (a JSON
// object "study/number" → seconds per epoch, from bench/pruning-epoch-cost.py) the epochs kept priced at a cost
// measured on a quiet machine, since the studies' own durations carry whatever else ran beside them.
// Checked against real pruned studies of the same seed (docs/RESULTS.md). Run from the repository root:
//   dotnet run bench/pruning-replay.cs -- [--pruners median,asha,hyperband] [--validation 83] [--epoch-cost F] NONE.json ...
#:project ../src/OcrForge/OcrForge.csproj
#:property PublishAot=false
using System.Text.Json;
using OcrForge.Tuning;

var pruners = new List<string> { "median", "asha" };
int validation = 83;
Dictionary<string, double>? epochCost = null;
var files = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--pruners") pruners = [.. args[++i].Split(',')];
    else if (args[i] == "--validation") validation = int.Parse(args[++i]);
    else if (args[i] == "--epoch-cost")
        epochCost = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(args[++i]));
    else files.Add(args[i]);
}

var studies = files.Select(Load).ToList();
string timeSource = epochCost is null ? "from durations" : "quiet epoch cost";
Console.WriteLine($"| pruner | {string.Join(" | ", studies.Select(s => s.Name))} | median best | epochs | saving "
    + $"| time ({timeSource}) | saving |");
Console.WriteLine($"| --- |{string.Concat(studies.Select(_ => " --- |"))} --- | ---: | ---: | ---: | ---: |");
var none = studies.Select(s => Replay(s, "none", epochCost)).ToList();
Row("none", none, none);
foreach (var name in pruners) Row(name, studies.Select(s => Replay(s, name, epochCost)).ToList(), none);

void Row(string name, List<Outcome> outcomes, List<Outcome> baseline)
{
    double Median(IEnumerable<double> v) => MedianPruner.Median(v.ToList());
    double best = Median(outcomes.Select(o => o.Best)), noneBest = Median(baseline.Select(o => o.Best));
    int epochs = outcomes.Sum(o => o.Epochs), noneEpochs = baseline.Sum(o => o.Epochs);
    double seconds = outcomes.Sum(o => o.Seconds), noneSeconds = baseline.Sum(o => o.Seconds);
    string cells = string.Join(" | ", outcomes.Select(o => $"{o.Best:F4} ({o.Pruned} pruned, {o.Epochs} epochs)"));
    Console.WriteLine($"| {name} | {cells} | {best:F4} | {epochs} | {1 - (double)epochs / noneEpochs:P1} "
        + $"| {seconds:F0} s | {1 - seconds / noneSeconds:P1} |");
    if (name == "none") return;
    bool same = best >= noneBest - 1.0 / validation - 1e-12;
    Console.Error.WriteLine($"{name}: median best {best:F4} vs none {noneBest:F4} "
        + $"({(same ? "within" : "NOT within")} one validation image); {1 - seconds / noneSeconds:P1} less time: "
        + $"target {(same && seconds <= 0.7 * noneSeconds ? "MET" : "NOT met")}");
}

// One worker, trials in order: each trial sees the finished trials before it, as stored when it reports.
static Outcome Replay(Study study, string prunerName, Dictionary<string, double>? epochCost)
{
    var pruner = Pruners.Create(prunerName, study.Epochs);
    var finished = new List<Trial>();
    double best = double.NegativeInfinity, seconds = 0;
    int epochs = 0, pruned = 0;
    foreach (var full in study.Trials)
    {
        var values = new SortedDictionary<int, double>();
        var state = TrialState.Complete;
        foreach (var (step, value) in full.Intermediate)
        {
            values[step] = value;
            var running = full with { State = TrialState.Running, Intermediate = new SortedDictionary<int, double>(values) };
            if (pruner is not NopPruner && pruner.ShouldPrune(StudyDirection.Maximize, running, [.. finished, running], step))
            {
                state = TrialState.Pruned;
                break;
            }
        }
        epochs += values.Count;
        seconds += epochCost is null ? full.Duration!.Value.TotalSeconds * values.Count / full.Intermediate.Count
            : epochCost[$"{study.Name}/{full.Number}"] * values.Count;
        if (state == TrialState.Pruned) pruned++;
        else best = Math.Max(best, full.Value ?? double.NegativeInfinity);
        finished.Add(full with { State = state, Intermediate = values, Value = state == TrialState.Complete ? full.Value : null });
    }
    return new Outcome(best, epochs, seconds, pruned);
}

static Study Load(string path)
{
    using var doc = JsonDocument.Parse(File.ReadAllText(path));
    var root = doc.RootElement;
    int epochs = root.GetProperty("definition").GetProperty("epochs").GetInt32();
    var trials = root.GetProperty("trials").EnumerateArray()
        .Where(t => t.GetProperty("state").GetString() == "complete")
        .Select(t => new Trial
        {
            Id = t.GetProperty("number").GetInt32(),
            Number = t.GetProperty("number").GetInt32(),
            State = TrialState.Complete,
            Value = t.GetProperty("value").GetDouble(),
            Intermediate = new SortedDictionary<int, double>(t.GetProperty("intermediate").EnumerateObject()
                .ToDictionary(p => int.Parse(p.Name), p => p.Value.GetDouble())),
            Started = DateTimeOffset.UnixEpoch,
            Finished = DateTimeOffset.UnixEpoch.AddSeconds(t.GetProperty("duration_s").GetDouble()),
        })
        .OrderBy(t => t.Number).ToList();
    if (trials.Count == 0 || trials.Any(t => t.Intermediate.Count == 0 || t.Intermediate.Count > epochs))
        throw new InvalidDataException($"{path}: needs complete trials that report 1 to {epochs} epochs each");
    return new Study(root.GetProperty("study").GetString()!, epochs, trials);
}

record Study(string Name, int Epochs, List<Trial> Trials);
record Outcome(double Best, int Epochs, double Seconds, int Pruned);
