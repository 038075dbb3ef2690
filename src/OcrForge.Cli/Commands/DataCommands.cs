using System.CommandLine;

namespace OcrForge.Cli.Commands;

public static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect and synthesise datasets.");
        return data;
    }
}
