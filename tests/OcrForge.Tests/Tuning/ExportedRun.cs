using System.CommandLine;
using OcrForge.Cli.Commands;
using OcrForge.Training;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

/// <summary>Checks that an exported <c>ocrforge train …</c> command is what the real command parses back into the
/// trial's run.</summary>
public static class ExportedRun
{
    public static void AssertParsesBack(TrainingRun run, IReadOnlyList<string> args)
    {
        Assert.Equal(["train", run.Task], args.Take(2));
        var command = run.Task == "ctc" ? TrainCtcCommand.Create() : TrainClassifyCommand.Create();
        var parse = command.Parse(args.Skip(2).ToArray());
        Assert.Empty(parse.Errors);
        Assert.Empty(parse.UnmatchedTokens);
        var o = run.Options;
        Assert.Equal(run.Preset, parse.GetValue<string>("--preset"));
        Assert.Equal(run.Overrides.Select(kv => $"{kv.Key}={kv.Value}"), parse.GetValue<string[]>("--set") ?? []);
        Assert.Equal(o.Epochs, parse.GetValue<int>("--epochs"));
        Assert.Equal(o.BatchSize, parse.GetValue<int>("--batch-size"));
        Assert.Equal(o.LearningRate, parse.GetValue<double>("--lr"));
        Assert.Equal(o.Optimizer, parse.GetValue<OptimizerKind>("--optimizer"));
        Assert.Equal(o.WeightDecay, parse.GetValue<double?>("--weight-decay"));
        Assert.Equal(o.Momentum, parse.GetValue<double>("--momentum"));
        Assert.Equal(o.Schedule, parse.GetValue<ScheduleKind>("--schedule"));
        Assert.Equal(o.Augment, parse.GetValue<bool>("--augment"));
        Assert.Equal(o.Seed, parse.GetValue<int>("--seed"));
        Assert.Equal(o.Threads, parse.GetValue<int?>("--threads"));
        if (run.LabelSmoothing is { } s) Assert.Equal(s, parse.GetValue<double>("--label-smoothing"));
    }
}
