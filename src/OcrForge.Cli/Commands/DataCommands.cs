using System.CommandLine;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge data …</c>: look at a dataset, or draw a synthetic one.</summary>
public static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect and synthesise datasets.");
        data.Subcommands.Add(DataShowCommand.Create());
        data.Subcommands.Add(DataSynthCommand.Create());
        return data;
    }
}
