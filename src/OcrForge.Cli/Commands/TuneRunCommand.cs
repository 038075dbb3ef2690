using System.CommandLine;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Tuning;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge tune run</c>: run trials of a study until its budget is spent (one worker, or N
/// processes).</summary>
public static class TuneRunCommand
{
    public static Command Create()
    {
        var study = new StudyOptions();
        var space = new Option<string?>("--space") { Description = "Search space file (.json, .yaml; "
            + "docs/tuning.md). Default: the study's, else the objective's own (tune space --objective …)." };
        var trials = new Option<int>("--trials") { Description = "Trials in the whole study, across all workers.",
            Required = true };
        var workers = new Option<int>("--workers") { Description = "Local worker processes; threads are split " +
            "between them.", DefaultValueFactory = _ => 1 };
        var sampler = new Option<string>("--sampler") { Description = "tpe or random.", DefaultValueFactory = _
            => "tpe" };
        var pruner = new Option<string>("--pruner") { Description = "none, median, asha or hyperband.",
            DefaultValueFactory = _ => "none" };
        var seed = SharedOptions.Seed("Sampler seed (and the training seed of every trial).");
        var objective = new Option<string?>("--objective") { Description = "synthetic (Branin, no training), "
            + "ctc (text lines) or classify (characters). Default: the study's, else synthetic." };
        var timeout = new Option<double?>("--timeout") { Description = "Seconds after which no new trial starts." };
        var threads = SharedOptions.Threads("Threads in all (default: all cores).");
        var epochs = new Option<int>("--epochs") { Description = "Epoch budget of a trial.", DefaultValueFactory = _
            => 8 };
        var epochMs = new Option<int>("--epoch-ms") { Description = "Synthetic objective: milliseconds per fake epoch.",
            DefaultValueFactory = _ => 0 };
        var data = SharedOptions.OptionalData("Dataset for training objectives (default: the study's).");
        var cv = new Option<int>("--cv") { Description = "Cross-validation folds: a trial's value is the mean over K " +
            "folds with its standard error (1 = one split).", DefaultValueFactory = _ => 1 };
        var format = SharedOptions.Format();
        var heartbeat = new Option<double>("--heartbeat") { Description = "Seconds between heartbeats; 6 missed ones " +
            "fail and re-queue the trial.", DefaultValueFactory = _ => 5 };
        // A worker process started by --workers N, and its number: only worker 0 names skipped files.
        var child = new Option<int?>("--child") { Hidden = true };
        var command = new Command("run",
            "Run trials: claim, sample, train with pruning, record; until --trials are done.");
        study.AddTo(command);
        foreach (var o in new Option[] { space, trials, workers, sampler, pruner, seed, objective, timeout, threads,
            epochs, epochMs, data, cv, format, heartbeat, child })
            command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            int budget = parse.GetValue(trials), processes = parse.GetValue(workers);
            if (budget < 1) throw new OcrForgeException($"--trials {budget}: expected at least 1");
            if (processes < 1) throw new OcrForgeException($"--workers {processes}: expected at least 1");
            if (!(parse.GetValue(heartbeat) > 0))
                throw new OcrForgeException($"--heartbeat {parse.GetValue(heartbeat)}: expected seconds > 0");
            int totalThreads = parse.GetValue(threads) ?? Environment.ProcessorCount;
            if (totalThreads < 1) throw new OcrForgeException($"--threads {totalThreads}: expected at least 1");
            var theSampler = Samplers.Create(parse.GetValue(sampler)!, parse.GetValue(seed));
            if (parse.GetValue(epochs) < 1)
                throw new OcrForgeException($"--epochs {parse.GetValue(epochs)}: expected at least 1");
            // Everything the user can get wrong is checked before the storage is touched: bad input writes nothing.
            if (parse.GetValue(data) is { } dataGiven && !Directory.Exists(dataGiven) && !File.Exists(dataGiven))
                throw new OcrForgeException($"--data {dataGiven}: not found");
            var spaceFile = parse.GetValue(space) is { } spacePath ? SearchSpaceFile.Load(spacePath) : null;
            Objectives.CheckGiven(parse.GetValue(objective), spaceFile, parse.GetValue(data), parse.GetValue(epochs));

            using var storage = StudyStorage.Open(parse.GetValue(study.Storage)!);
            string studyName = parse.GetValue(study.Study)!;
            // What the worker does not give is the study's: a worker joins with nothing but --storage and --study.
            var (objectiveName, dataPath, searchSpace) = StudyDefinition.Resolve(storage.FindStudy(studyName),
                parse.GetValue(objective), parse.GetValue(data), spaceFile);
            var skipped = new SkippedOnce(warn: parse.GetValue(child) is null or 0);
            var settings = new ObjectiveSettings
            {
                Skipped = skipped,
                Epochs = parse.GetValue(epochs),
                EpochDelay = TimeSpan.FromMilliseconds(parse.GetValue(epochMs)),
                Data = dataPath,
                Format = parse.GetValue(format),
                Seed = parse.GetValue(seed),
                Folds = parse.GetValue(cv),
            };
            var theObjective = Objectives.Create(objectiveName, searchSpace, settings);
            var thePruner = Pruners.Create(parse.GetValue(pruner)!, theObjective.MaxSteps);
            bool json = parse.GetValue(study.Json), quiet = json || parse.GetValue(child) is not null;

            var info = storage.CreateStudy(studyName, theObjective.Direction, StudyDefinition.Create(objectiveName,
                dataPath, searchSpace, settings.Epochs, parse.GetValue(sampler), settings.Seed, parse.GetValue(pruner),
                settings.Folds));
            using var cancel = new CancelOnCtrlC();
            bool interrupted;
            if (processes > 1)
                interrupted = WorkerProcesses.Run(processes, Math.Max(1, totalThreads / processes), cancel.Token);
            else
            {
                var options = new RunnerOptions
                {
                    Worker = RunnerOptions.WorkerName(),
                    Threads = totalThreads,
                    Budget = budget,
                    Timeout = parse.GetValue(timeout) is { } s ? TimeSpan.FromSeconds(s) : null,
                    HeartbeatInterval = TimeSpan.FromSeconds(parse.GetValue(heartbeat)),
                    HeartbeatTimeout = TimeSpan.FromSeconds(6 * parse.GetValue(heartbeat)),
                };
                var progress = quiet ? null : new TrialLines(theObjective.Metric);
                var runner = new StudyRunner(storage, info, searchSpace, theSampler, thePruner, theObjective, options,
                    progress);
                interrupted = runner.Run(cancel.Token).Interrupted;
            }
            if (interrupted) Cli.Warn("interrupted: the running trial was recorded as failed and re-queued");
            if (parse.GetValue(child) is not null) return interrupted ? Cli.Interrupted : Cli.Ok;
            var summary = TuneOutput.Summary(info, storage.Trials(info.Id));
            skipped.AddTo(summary, known: processes == 1);
            if (json) TuneOutput.Json(summary);
            else TuneOutput.SummaryTable(summary);
            return interrupted ? Cli.Interrupted : Cli.Ok;
        }));
        return command;
    }
}
