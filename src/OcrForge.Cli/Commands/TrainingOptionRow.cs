using System.CommandLine;
using OcrForge.Training;

namespace OcrForge.Cli.Commands;

/// <summary>
/// One option of <see cref="TrainingOptionSet"/> and the <see cref="TrainingOptions"/> property it sets, so that
/// the option's declaration, its default (the task's recipe) and how it is read are one table row.
/// </summary>
/// <param name="Apply">(parse, from, to): <c>to</c> with this option's value, the command line's when given, else
/// <c>from</c>'s (null: the option's default, the recipe's).</param>
public sealed record TrainingOptionRow(
    Option Option, Func<ParseResult, TrainingOptions?, TrainingOptions, TrainingOptions> Apply)
{
    /// <param name="get">The property, read from the recipe for the default shown in --help.</param>
    /// <param name="set">The same property, set.</param>
    public static TrainingOptionRow Of<T>(TrainingOptions recipe, string name, string description,
        Func<TrainingOptions, T> get, Func<TrainingOptions, T, TrainingOptions> set)
    {
        var option = new Option<T>(name) { Description = description, DefaultValueFactory = _ => get(recipe) };
        return new(option, (parse, from, to) =>
            set(to, from is null ? parse.GetValue(option)! : TrainingOptionSet.Pick(parse, option, get(from))));
    }
}
