namespace OcrForge.Tuning;

/// <summary>
/// What a trial runs. Rules: <see cref="Run"/> reports its step metric (<see cref="StepMetric"/>) after each step
/// (epoch, from 1) through the reporter, which throws <see cref="TrialPrunedException"/> when the pruner stops the
/// trial (let it propagate); it returns the trial's final value; it honours the token between steps. An exception
/// fails only this trial.
/// </summary>
public interface IObjective
{
    /// <summary>What the value measures, e.g. <c>validation_sequence_accuracy</c>.</summary>
    string Metric { get; }

    /// <summary>
    /// What the values reported after each step measure: what pruners compare between trials at the same step, and
    /// how TPE ranks pruned trials. It points the same way as <see cref="Metric"/> (<see cref="Direction"/>) and
    /// is that metric unless the metric stays flat for long stretches that a pruner must see through (a CTC
    /// model's sequence accuracy is exactly 0 for every trial until it leaves the all-blank plateau).
    /// </summary>
    string StepMetric => Metric;

    StudyDirection Direction { get; }

    /// <summary>The most steps a trial can report (Hyperband sizes its brackets from it).</summary>
    int MaxSteps { get; }

    /// <summary>Checks the space before anything is written (e.g. required parameters); throws a one-line
    /// error.</summary>
    void Check(SearchSpace space);

    double Run(IReadOnlyDictionary<string, object> parameters, ITrialReporter reporter, int threads,
        CancellationToken cancellationToken);
}

/// <summary>Receives a trial's value after each step; throws <see cref="TrialPrunedException"/> to stop the
/// trial.</summary>
public interface ITrialReporter
{
    void Report(int step, double value);

    /// <summary>The standard error of the value the objective is about to return, when that value is a mean over
    /// cross-validation folds; stored with it.</summary>
    void StandardError(double value) { }
}
