using System.Globalization;
using OcrForge.Inference;
using OcrForge.Models;
using OcrForge.Tuning;

namespace OcrForge.Tests.Models;

/// <summary>Every setting of every preset is described once (<see cref="ModelParameter"/>): --set parses through
/// it, and a search space is checked against it and can be built from it.</summary>
public class ModelParameterTests
{
    public static TheoryData<string> Presets()
    {
        var data = new TheoryData<string>();
        foreach (var preset in ModelRegistry.All) data.Add(preset.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_numeric_setting_accepts_its_bounds_and_refuses_beyond_them_in_one_line(string preset)
    {
        var config = ModelRegistry.Create(preset);
        Assert.Equal(config.Parameters.Select(p => p.Name), config.Keys);
        foreach (var p in config.Parameters.Where(p => p.Type is ParameterType.Int or ParameterType.Float))
        {
            // Inside: the lower bound (and the upper one where there is one) parse as themselves.
            Assert.Equal(p.Min, Convert.ToDouble(p.Parse(Format(p.Min)), CultureInfo.InvariantCulture));
            if (!double.IsPositiveInfinity(p.Max) && p.Max < int.MaxValue)
                Assert.Equal(p.Max, Convert.ToDouble(p.Parse(Format(p.Max)), CultureInfo.InvariantCulture));
            // Beyond: one line naming the setting and what it accepts.
            string below = Format(p.Min - 1);
            var error = Assert.Throws<OcrForgeException>(() => config.With(p.Name, below));
            Assert.StartsWith($"--set {p.Name}={below}: expected a", error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
    }

    private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Settings_parse_to_their_types_and_unknown_ones_list_the_known()
    {
        var config = ModelRegistry.Create("captcha-crnn");
        Assert.Equal(RnnKind.Gru, config.Parameter("rnn")!.Parse("gru"));
        Assert.Equal(new[] { 8, 16 }, config.Parameter("rnn_hidden")!.Parse("8,16"));
        Assert.Equal(true, config.Parameter("batch_norm")!.Parse("yes"));
        Assert.Equal("--set growth=9: expected a number in [1, 4]",
            Assert.Throws<OcrForgeException>(() => config.With("growth", "9")).Message);
        Assert.Equal("--set rnn=tanh: expected one of lstm, gru",
            Assert.Throws<OcrForgeException>(() => config.With("rnn", "tanh")).Message);
        var unknown = Assert.Throws<OcrForgeException>(() => config.With("rnn_hiden", "8")).Message;
        Assert.StartsWith("--set rnn_hiden: unknown key for a crnn model (known: height, width, conv_blocks", unknown);
    }

    [Theory]
    [InlineData("set.rnn_hiden: { type: int, low: 8, high: 64 }",
        "parameters.set.rnn_hiden: preset captcha-crnn has no setting 'rnn_hiden' (known: height,")]
    [InlineData("set.growth: { type: float, low: 1.0, high: 9.0 }",
        "parameters.set.growth: 9 is not a valid growth (expected a number in [1, 4])")]
    [InlineData("set.rnn: { type: categorical, choices: [lstm, tanh] }",
        "parameters.set.rnn: tanh is not a valid rnn (expected one of lstm, gru)")]
    public void A_space_s_model_settings_are_checked_against_the_presets_before_any_trial(string line, string error)
    {
        var space = SearchSpaceFile.ParseText(
            $"parameters:\n  preset: {{ type: categorical, choices: [captcha-crnn] }}\n  {line}\n", yaml: true);
        var e = Assert.Throws<OcrForgeException>(() =>
            TrainingParameters.Check(space, "ctc", TrainingParameters.Names, name => ModelRegistry.Create(name),
                "captcha-crnn"));
        Assert.StartsWith(error, e.Message);
    }

    [Theory]
    [InlineData("ctc")]
    [InlineData("classify")]
    public void The_shipped_spaces_pass_the_check(string objective)
    {
        var space = DefaultSpaces.For(objective);
        TrainingParameters.Check(space, objective, objective == "ctc" ? TrainingParameters.Names : ClassifyObjective.Known,
            name => ModelRegistry.Create(name), objective == "ctc" ? "captcha-crnn" : "chars74k-resnet");
    }

    [Theory]
    [InlineData("ctc", "captcha-crnn")]
    [InlineData("ctc", "words")]
    [InlineData("classify", "chars74k-cnn")]
    public void A_space_built_from_a_preset_s_schema_round_trips_and_every_sample_builds_a_model(string objective,
        string preset)
    {
        var config = ModelRegistry.Create(preset);
        var text = DefaultSpaces.ForPreset(objective, preset, json: false);
        var space = SearchSpaceFile.ParseText(text, yaml: true);
        Assert.Contains(space.Parameters, p => p.Name.StartsWith("set.", StringComparison.Ordinal));
        Assert.Contains(space.Parameters, p => p.Name == "optimizer");
        Assert.DoesNotContain(space.Parameters, p => p.Name is "preset" or "set.variable_width");
        ModelSpace.Check(space, [preset], name => ModelRegistry.Create(name));

        var sampler = new RandomSampler(3);
        for (int n = 0; n < 10; n++)
        {
            var values = sampler.Sample(space, StudyDirection.Maximize, [], n, new Dictionary<string, object>());
            var built = ModelRegistry.Create(preset, TrainingParameters.Overrides(values));
            Assert.Equal(config.Task, built.Task);
        }
    }
}
