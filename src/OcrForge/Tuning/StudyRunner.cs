using System.Diagnostics;

namespace OcrForge.Tuning;

/// <summary>What one worker did: its trials by final state, and whether Ctrl+C or SIGTERM stopped it.</summary>
public sealed record WorkerSummary(int Complete, int Pruned, int Failed, int Lost, bool Interrupted, TimeSpan Elapsed)
{
    public int Total => Complete + Pruned + Failed + Lost;
}

/// <summary>
/// One worker's loop: claim a trial (atomically against the study's budget) → sample its parameters → run the
/// objective, which reports each epoch; the pruner may stop it there → finish it. An objective that throws fails
/// its trial with the reason and the loop goes on. Cancelling (Ctrl+C) abandons the running trial cleanly: it is
/// failed as interrupted and its parameters re-queued, its claim given back. A heartbeat runs beside each trial; if
/// the storage says the trial is no longer ours (another worker declared it dead), the trial is dropped. A worker
/// leaves when the budget is spent and no trial runs any more, or at the timeout (no new trial after it).
/// </summary>
public sealed class StudyRunner(IStudyStorage storage, StudyInfo study, SearchSpace space, ISampler sampler,
    IPruner pruner, IObjective objective, RunnerOptions options, IProgress<Trial>? progress = null)
{
    // How often a worker with nothing to claim looks again: often enough that the study ends soon after its last trial.
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);

    public WorkerSummary Run(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        int complete = 0, pruned = 0, failed = 0, lost = 0;
        var request = new ClaimRequest(options.Worker, options.Threads, options.Budget, options.HeartbeatTimeout,
            options.MaxRetries);
        while (!cancellationToken.IsCancellationRequested && (options.Timeout is not { } t || clock.Elapsed < t))
        {
            var trial = storage.Claim(study.Id, request);
            if (trial is null)
            {
                // The budget is spent, but a running trial may still die and be re-queued: stay until none runs, so
                // that the study ends with exactly its budget of finished trials as long as one worker survives.
                if (!storage.Trials(study.Id).Any(t => t.State == TrialState.Running)) break;
                cancellationToken.WaitHandle.WaitOne(options.HeartbeatInterval < IdlePoll ? options.HeartbeatInterval
                    : IdlePoll);
                continue;
            }
            var outcome = RunTrial(trial, cancellationToken);
            switch (outcome)
            {
                case TrialState.Complete: complete++; break;
                case TrialState.Pruned: pruned++; break;
                case TrialState.Failed: failed++; break;
                case TrialState.Waiting: return new WorkerSummary(complete, pruned, failed, lost, true, clock.Elapsed);
                default: lost++; break;
            }
        }
        return new WorkerSummary(complete, pruned, failed, lost, cancellationToken.IsCancellationRequested,
            clock.Elapsed);
    }

    /// <returns>The final state; Waiting when interrupted (re-queued), Running when the trial was taken from
    /// us.</returns>
    private TrialState RunTrial(Trial trial, CancellationToken cancellationToken)
    {
        var fixedValues = trial.Params.ToDictionary(kv => kv.Key,
            kv => space.Find(kv.Key) is { } p ? ParameterValues.Coerce(p.Distribution, kv.Value) : kv.Value);
        var parameters = sampler.Sample(space, study.Direction, storage.Trials(study.Id), trial.Number, fixedValues);
        if (!storage.SetParams(trial.Id, parameters)) return TrialState.Running;

        using var taken = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, taken.Token);
        using var heartbeat = new Timer(_ =>
        {
            try
            {
                if (!storage.Heartbeat(trial.Id)) taken.Cancel();
            }
            // A heartbeat that cannot reach the storage is retried at the next tick; expiry handles a lasting outage.
            catch (Exception e) when (e is not OutOfMemoryException) { }
        }, null, options.HeartbeatInterval, options.HeartbeatInterval);

        var reporter = new Reporter(storage, study, pruner, trial, linked.Token);
        (TrialState State, double? Value, string? Failure) end;
        try
        {
            double value = objective.Run(parameters, reporter, options.Threads, linked.Token);
            end = double.IsFinite(value) ? (TrialState.Complete, value, null)
                : (TrialState.Failed, null, $"objective returned {value}");
        }
        catch (TrialPrunedException p)
        {
            // A pruned trial's value is its last step value (as in Optuna) when steps measure the objective's
            // metric; when they measure something else (CTC: character accuracy for sequence accuracy) it has none.
            end = (TrialState.Pruned, objective.StepMetric == objective.Metric ? p.Value : null, null);
        }
        catch (Exception e) when (IsCancellation(e) && cancellationToken.IsCancellationRequested)
        {
            heartbeat.Change(Timeout.Infinite, Timeout.Infinite);
            storage.Abandon(trial.Id, "interrupted (Ctrl+C or SIGTERM); re-queued");
            return TrialState.Waiting;
        }
        catch (Exception e) when (IsCancellation(e) && taken.IsCancellationRequested || e is TrialLostException)
        {
            return TrialState.Running;
        }
        catch (Exception e)
        {
            end = (TrialState.Failed, null, $"{e.GetType().Name}: {FirstLine(e.Message)}");
        }
        heartbeat.Change(Timeout.Infinite, Timeout.Infinite);
        double? standardError = end.State == TrialState.Complete ? reporter.Error : null;
        if (!storage.Finish(trial.Id, end.State, end.Value, end.Failure, standardError)) return TrialState.Running;
        progress?.Report(trial with { State = end.State, Value = end.Value, ValueStandardError = standardError,
            Failure = end.Failure, Params = parameters });
        return end.State;
    }

    private static bool IsCancellation(Exception e) =>
        e is OperationCanceledException || e is AggregateException a && a.InnerExceptions.All(IsCancellation);

    private static string FirstLine(string s) => s.Split('\n')[0].TrimEnd('\r');

    /// <summary>The trial was failed by another worker (missed heartbeats) while this one still ran it.</summary>
    private sealed class TrialLostException() : Exception("the trial is no longer ours");

    private sealed class Reporter(IStudyStorage storage, StudyInfo study, IPruner pruner, Trial trial,
        CancellationToken token)
        : ITrialReporter
    {
        public double? Error { get; private set; }

        public void StandardError(double value) => Error = double.IsFinite(value) ? value : null;

        public void Report(int step, double value)
        {
            token.ThrowIfCancellationRequested();
            if (!double.IsFinite(value)) throw new ArgumentException($"step {step} reported {value}");
            if (!storage.Report(trial.Id, step, value)) throw new TrialLostException();
            if (pruner is NopPruner) return;
            var trials = storage.Trials(study.Id);
            var self = trials.FirstOrDefault(t => t.Id == trial.Id);
            if (self is not null && pruner.ShouldPrune(study.Direction, self, trials, step))
                throw new TrialPrunedException(step, value);
        }
    }
}
