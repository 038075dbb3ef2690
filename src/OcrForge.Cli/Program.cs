using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using OcrForge.Cli.Commands;
using OcrForge.Engines;
using Spectre.Console;

// A plain command as the root, not RootCommand: RootCommand names itself after the executable (OcrForge.Cli), and
// help should show the name people type, `ocrforge`. Help and --version are what RootCommand would have added.
var root = new Command("ocrforge", "OcrForge: from a folder of labelled images to a small, fast, deployable OCR model.")
{
    Options = { new HelpOption(), new VersionOption() },
};
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);

// Piped or redirected output (logs, CI, `> file`) gets plain text: no colour codes, no cursor movement.
if (Console.IsOutputRedirected)
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Out = new AnsiConsoleOutput(Console.Out),
    });
// Tables wrap at the terminal's width; without a terminal, COLUMNS says how wide a log may be. Left unset there,
// Spectre would assume 80 and cut tables, so a log gets room for the widest table we print.
if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns > 0)
    AnsiConsole.Profile.Width = columns;
else if (Console.IsOutputRedirected)
    AnsiConsole.Profile.Width = Cli.RedirectedWidth;

// Every command that opens a model by path (eval, predict, bench, serve, compare) opens .ocrf files too.
OcrForgeEngines.Register();

if (args.Length == 0) args = ["--help"];
var parse = root.Parse(args);
// A mistyped option or value is bad input like any other: one line naming it, exit 2, no help page dump.
if (parse.Errors.Count > 0)
{
    var commandPath = string.Join(' ',
        parse.CommandResult.Command == root ? ["ocrforge"] : ["ocrforge", .. CommandPath(parse.CommandResult)]);
    var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal))
        ?? parse.Errors[0];
    Cli.Error($"{error.Message} (see '{commandPath} --help')");
    return Cli.BadInput;
}
return parse.Invoke();

static IEnumerable<string> CommandPath(CommandResult result)
{
    var names = new Stack<string>();
    for (var r = result; r?.Parent is CommandResult; r = r.Parent as CommandResult)
        names.Push(r.Command.Name);
    return names;
}
