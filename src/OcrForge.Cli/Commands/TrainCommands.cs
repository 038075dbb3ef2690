using System.CommandLine;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>ocrforge train …</c>: one sub-command per task, sharing the training options and the progress display.
/// </summary>
public static class TrainCommands
{
    public static Command Create()
    {
        var train = new Command("train", "Train a model from a folder of labelled images.");
        train.Subcommands.Add(TrainCtcCommand.Create());
        train.Subcommands.Add(TrainClassifyCommand.Create());
        return train;
    }
}
