using System.CommandLine;
using OcrForge.Cli.Commands;

var root = new RootCommand("OcrForge: from a folder of labelled images to a small, fast, deployable OCR model.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);

return root.Parse(args).Invoke();
