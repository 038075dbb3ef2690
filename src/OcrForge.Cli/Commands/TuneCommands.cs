using System.CommandLine;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge tune …</c>: hyper-parameter search (docs/tuning.md).</summary>
public static class TuneCommands
{
    public static Command Create()
    {
        var tune = new Command("tune",
            "Search hyper-parameters: run workers, enqueue configurations, inspect and export studies.");
        tune.Subcommands.Add(TuneRunCommand.Create());
        tune.Subcommands.Add(TuneEnqueueCommand.Create());
        tune.Subcommands.Add(TuneStatusCommand.Create());
        tune.Subcommands.Add(TuneBestCommand.Create());
        tune.Subcommands.Add(TuneExportCommand.Create());
        tune.Subcommands.Add(TuneSpaceCommand.Create());
        return tune;
    }
}
