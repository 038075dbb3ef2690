using System.CommandLine;
using OcrForge.Cli.Commands;
using OcrForge.Training;

namespace OcrForge.Tests.Cli;

public class HelpTests
{
    [Fact]
    public void Every_runnable_command_ends_its_help_with_an_example()
    {
        var missing = new List<string>();
        void Visit(Command command, string path)
        {
            if (command.Action is not null && command.Description?.Contains("\nExample: ocrforge ") != true)
                missing.Add(path);
            foreach (var sub in command.Subcommands) Visit(sub, $"{path} {sub.Name}");
        }
        foreach (var command in CommandCatalog.All()) Visit(command, command.Name);
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_model_option_is_spelled_the_same_way_with_the_short_alias()
    {
        var withModel = new List<string>();
        var withoutAlias = new List<string>();
        void Visit(Command command, string path)
        {
            if (command.Options.FirstOrDefault(o => o.Name == "--model") is { } option)
            {
                withModel.Add(path);
                if (!option.Aliases.Contains("-m")) withoutAlias.Add(path);
            }
            foreach (var sub in command.Subcommands) Visit(sub, $"{path} {sub.Name}");
        }
        foreach (var command in CommandCatalog.All()) Visit(command, command.Name);

        Assert.Contains("eval", withModel);
        Assert.Contains("serve", withModel);
        Assert.Empty(withoutAlias);
    }

    [Fact]
    public void Each_shared_option_has_one_type_alias_and_default_everywhere()
    {
        var wrong = new List<string>();
        int seen = 0;
        void Visit(Command command, string path)
        {
            foreach (var option in command.Options.Where(o => !o.Hidden))
            {
                seen++;
                string at = $"{path} {option.Name}";
                switch (option.Name)
                {
                    case "--out" when !option.Aliases.Contains("-o"):
                    case "--json" when option is not Option<bool>:
                    case "--format" when option is not Option<OcrForge.Data.DatasetFormat>:
                    case "--data" when option is not (Option<string> or Option<string?>):
                    // bench measures a list of thread counts; everywhere else it is one number or all cores.
                    case "--threads" when option is not Option<int?> && path != "bench":
                        wrong.Add(at);
                        break;
                    case "--seed" when option is not Option<int> seed || seed.DefaultValueFactory?.Invoke(null!) != 42:
                        wrong.Add($"{at} (default not 42)");
                        break;
                }
            }
            foreach (var sub in command.Subcommands) Visit(sub, $"{path} {sub.Name}");
        }
        foreach (var command in CommandCatalog.All()) Visit(command, command.Name);

        Assert.True(seen > 100, $"{seen} options");
        Assert.Empty(wrong);
    }

    [Fact]
    public void Every_command_that_produces_a_result_has_json()
    {
        // serve runs until stopped and prints logs; demo narrates the whole flow and leaves its report in --work.
        string[] noResult = ["serve", "demo"];
        var missing = new List<string>();
        void Visit(Command command, string path)
        {
            if (command.Action is not null && !noResult.Contains(path) && command.Options.All(o => o.Name != "--json"))
                missing.Add(path);
            foreach (var sub in command.Subcommands) Visit(sub, $"{path} {sub.Name}");
        }
        foreach (var command in CommandCatalog.All()) Visit(command, command.Name);

        Assert.Empty(missing);
    }

    [Fact]
    public void Help_names_the_program_as_people_type_it()
    {
        var (code, stdout, _) = CliProcess.Run("train", "classify", "--help");

        Assert.Equal(0, code);
        Assert.Contains("ocrforge train classify [options]", stdout);
        Assert.DoesNotContain("OcrForge.Cli", stdout);
    }

    [Fact]
    public void A_mistyped_command_is_one_line_on_stderr_and_exit_code_2()
    {
        var (code, stdout, stderr) = CliProcess.Run("trian");

        Assert.Equal(2, code);
        Assert.Equal("", stdout.Trim());
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("'trian'", line);
        Assert.Contains("ocrforge --help", line);
    }

    [Fact]
    public void Training_help_shows_the_defaults_a_run_actually_uses()
    {
        var (code, stdout, _) = CliProcess.Run("train", "classify", "--help");

        Assert.Equal(0, code);
        var recipe = TrainClassifyCommand.Recipe;
        Assert.Matches($@"--epochs <epochs>\s+Maximum number of epochs\. \[default: {recipe.Epochs}\]", stdout);
        Assert.Matches($@"--batch-size <batch-size>\s+.*\[default: {recipe.BatchSize}\]", stdout);
        Assert.Matches($@"--optimizer <[^>]+>\s+.*\[default: {recipe.Optimizer}\]", stdout);
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("ctc")]
    public void Options_left_out_take_the_tasks_recipe(string task)
    {
        var recipe = task == "classify" ? TrainClassifyCommand.Recipe : TrainCtcCommand.Recipe;
        var set = new TrainingOptionSet(recipe, task == "classify" ? RunTask.Classify : RunTask.Ctc);
        var command = new Command(task);
        set.AddTo(command);

        var read = set.Read(command.Parse("--data d --out m.ocrf"));

        Assert.Equal(recipe with { RunDirectory = read.RunDirectory }, read);
        var given = set.Read(command.Parse("--data d --out m.ocrf --epochs 3 --augment false"));
        Assert.Equal(3, given.Epochs);
        Assert.False(given.Augment);
    }
}
