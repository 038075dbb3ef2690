using System.CommandLine;
using OcrForge.Models;

namespace OcrForge.Cli.Commands;

/// <summary><c>train … --preset</c>: the task's model presets, named in the help.</summary>
public static class PresetOption
{
    public static Option<string> Create(ModelTask task, string defaultPreset) => new("--preset")
    {
        Description =
            $"Model preset: {string.Join(", ", ModelRegistry.All.Where(p => p.Task == task).Select(p => p.Name))}" +
            " (a preset with a measured recipe, as words, sets the training defaults: --epochs, --batch-size …).",
        DefaultValueFactory = _ => defaultPreset,
    };
}
