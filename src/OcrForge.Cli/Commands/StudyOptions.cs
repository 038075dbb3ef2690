using System.CommandLine;

namespace OcrForge.Cli.Commands;

/// <summary>Options every <c>tune</c> sub-command shares.</summary>
public sealed class StudyOptions
{
    public Option<string> Storage { get; } = new("--storage")
    {
        Description = "SQLite file, or postgres://user:password@host:port/database.",
        DefaultValueFactory = _ => "study.db",
    };
    public Option<string> Study { get; } = new("--study") { Description = "Study name.", DefaultValueFactory = _
        => "default" };
    public Option<bool> Json { get; } = SharedOptions.Json("Print one JSON document instead of a table.");

    public void AddTo(Command command)
    {
        command.Options.Add(Storage);
        command.Options.Add(Study);
        command.Options.Add(Json);
    }
}
