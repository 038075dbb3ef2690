namespace OcrForge.Tests.Cli;

public class HelpTests
{
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
}
