using System.CommandLine;
using OcrForge.Cli.Commands;
using OcrForge.Models;
using OcrForge.Training;

namespace OcrForge.Tests.Cli;

/// <summary>A preset can carry the recipe measured for it (<see cref="PresetRecipes"/>); options given on the
/// command line still win, and presets without one train with their task's recipe.</summary>
public class PresetRecipeTests
{
    private static (TrainingOptionSet Set, Option<string> Preset, Command Command) Train()
    {
        var set = new TrainingOptionSet(TrainCtcCommand.Recipe, RunTask.Ctc);
        var preset = PresetOption.Create(ModelTask.TextRecognition, CtcTraining.DefaultPreset);
        var command = new Command("ctc");
        command.Options.Add(preset);
        set.AddTo(command);
        return (set, preset, command);
    }

    [Fact]
    public void The_words_preset_trains_with_its_measured_recipe_unless_the_command_line_says_otherwise()
    {
        var (set, preset, command) = Train();

        var words = command.Parse("--data w.csv --preset words --out w.ocrf");
        var training = set.Read(words, set.Specification(words, RunTask.Ctc, preset).Training);
        Assert.Equal((8, 32, false), (training.Epochs, training.BatchSize, training.Augment));

        var fast = command.Parse("--data w.csv --preset words-fast --out w.ocrf");
        training = set.Read(fast, set.Specification(fast, RunTask.Ctc, preset).Training);
        Assert.Equal((20, 32, true), (training.Epochs, training.BatchSize, training.Augment));

        var given = command.Parse("--data w.csv --preset words --epochs 3 --out w.ocrf");
        Assert.Equal(3, set.Read(given, set.Specification(given, RunTask.Ctc, preset).Training).Epochs);

        var captcha = command.Parse("--data c/ --out c.ocrf");
        var recipe = set.Read(captcha, set.Specification(captcha, RunTask.Ctc, preset).Training);
        Assert.Equal((CtcTraining.Recipe.Epochs, CtcTraining.Recipe.BatchSize), (recipe.Epochs, recipe.BatchSize));
        Assert.False(PresetRecipes.Has(CtcTraining.DefaultPreset));
    }

    [Fact]
    public void A_library_caller_gets_the_preset_s_recipe_from_the_default_specification()
    {
        var spec = RunSpecification.Default(RunTask.Ctc, "w.csv", "words");
        Assert.Equal("words", spec.Model.Preset);
        Assert.Equal(PresetRecipes.For("words", CtcTraining.Recipe), spec.Training);
        Assert.Equal(CtcTraining.Recipe, RunSpecification.Default(RunTask.Ctc, "c/").Training);
    }
}
