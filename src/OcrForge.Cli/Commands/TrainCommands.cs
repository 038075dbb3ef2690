using System.CommandLine;

namespace OcrForge.Cli.Commands;

public static class TrainCommands
{
    public static Command Create()
    {
        var train = new Command("train", "Train a model from a folder of labelled images.");
        train.Subcommands.Add(TrainClassifyCommand.Create());
        return train;
    }
}
