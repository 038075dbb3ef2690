using OcrForge.Training;

namespace OcrForge.Tuning;

/// <summary>
/// A training run as typed data: the task (<c>ctc</c> or <c>classify</c>), the preset and its <c>--set</c> overrides,
/// the training options and, for classifiers, the label smoothing. A trial is one; <c>tune best</c> turns the best
/// into the <c>ocrforge train …</c> command that repeats it.
/// </summary>
public sealed record TrainingRun(string Task, string Preset, IReadOnlyList<KeyValuePair<string, string>> Overrides,
    TrainingOptions Options, double? LabelSmoothing = null);
