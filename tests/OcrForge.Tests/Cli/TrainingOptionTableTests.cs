using System.CommandLine;
using OcrForge.Cli.Commands;
using OcrForge.Training;

namespace OcrForge.Tests.Cli;

/// <summary>
/// <see cref="TrainingOptionTable"/>: one row per <see cref="TrainingOptions"/> property a training option sets, each
/// reading and writing its own property.
/// </summary>
public class TrainingOptionTableTests
{
    // Every value differs from TrainingOptions' default and from both task recipes.
    private static readonly TrainingOptions Stored = new()
    {
        Epochs = 7, BatchSize = 5, LearningRate = 0.0123, Optimizer = OptimizerKind.RmsProp,
        Schedule = ScheduleKind.Plateau, WeightDecay = 0.042, Momentum = 0.33, Patience = 4, ValidationFraction = 0.27,
        Augment = true, Seed = 1234, GradClip = 2.5, Ema = 0.95, Resume = false, Threads = 3, PlateauRestarts = 2,
        PlateauEpochs = 11,
    };

    [Fact]
    public void A_run_read_from_a_spec_file_keeps_every_stored_option_the_command_line_leaves_out()
    {
        var set = new TrainingOptionSet(TrainCtcCommand.Recipe, RunTask.Ctc);
        var command = new Command("t");
        set.AddTo(command);

        var read = set.Read(command.Parse("--out m.ocrf"), Stored);
        var overridden = set.Read(command.Parse("--out m.ocrf --epochs 2 --ema 0 --threads 1"), Stored);

        // A row that read or wrote another property, or a property without a row, breaks the first equality.
        Assert.Equal(Stored with { RunDirectory = read.RunDirectory }, read);
        Assert.Equal(Stored with { Epochs = 2, Ema = 0, Threads = 1, RunDirectory = read.RunDirectory }, overridden);
    }

    [Fact]
    public void Each_row_is_one_option_with_the_recipe_as_its_default()
    {
        var rows = TrainingOptionTable.Rows(TrainClassifyCommand.Recipe, RunTask.Classify);
        var command = new Command("t");
        foreach (var row in rows) command.Options.Add(row.Option);

        var defaults = rows.Aggregate(new TrainingOptions(), (to, row) => row.Apply(command.Parse(""), null, to));

        Assert.Equal(rows.Length, rows.Select(r => r.Option.Name).Distinct().Count());
        Assert.Equal(TrainClassifyCommand.Recipe with { Threads = null, Resume = false, RunDirectory = "" }, defaults);
    }
}
