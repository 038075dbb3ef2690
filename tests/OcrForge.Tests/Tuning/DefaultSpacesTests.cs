using OcrForge.Models;
using OcrForge.Training;
using OcrForge.Training.Classification;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public class DefaultSpacesTests
{
    [Theory]
    [InlineData("ctc")]
    [InlineData("classify")]
    public void Fifty_sampled_configurations_of_each_default_space_build_a_model_and_valid_training_options(string objective)
    {
        // Given the shipped space
        var space = DefaultSpaces.For(objective);
        var recipe = objective == "ctc" ? CtcTraining.Recipe : CharacterTraining.Recipe;
        var presets = new HashSet<string>();
        var optimizers = new HashSet<OptimizerKind>();

        // When 50 configurations are sampled
        var sampler = new RandomSampler(5);
        for (int number = 0; number < 50; number++)
        {
            var values = sampler.Sample(space, StudyDirection.Maximize, [], number, new Dictionary<string, object>());

            // Then each is a valid run: options pass validation, and the registry builds the model
            var preset = TrainingParameters.Preset(values, "");
            var options = TrainingParameters.Apply(recipe, values, preset, epochs: 2, seed: 1, threads: 1, runDirectory: "");
            var config = ModelRegistry.Create(preset, TrainingParameters.Overrides(values));
            using (config.Build(classCount: 20)) { }
            // A 5-symbol captcha needs up to 9 frames (a blank between repeats).
            if (config is CrnnConfig crnn) Assert.True(crnn.TimeSteps >= 9, $"{preset} {string.Join(' ', values)}: {crnn.TimeSteps} frames");
            Assert.Equal(objective == "ctc" ? ModelTask.TextRecognition : ModelTask.Classification, config.Task);
            Assert.InRange(options.LearningRate, 1e-4, options.Optimizer == OptimizerKind.Adadelta ? 2.0 : 1e-2);
            Assert.Equal(values.ContainsKey("momentum"), options.Optimizer == OptimizerKind.Sgd);
            presets.Add(preset);
            optimizers.Add(options.Optimizer);
        }

        // And the space covers the task's presets and all seven optimizers
        var taskPresets = ModelRegistry.All.Where(p => p.Task == (objective == "ctc" ? ModelTask.TextRecognition : ModelTask.Classification)).Select(p => p.Name);
        Assert.Equal(taskPresets.Order(), presets.Order());
        Assert.Equal(Enum.GetValues<OptimizerKind>().Order(), optimizers.Order());
        // And the training objective accepts the space as it is
        var data = new TempDir();
        using (data) Objectives.Create(objective, space, new ObjectiveSettings { Data = data.Path });
    }

    [Fact]
    public void The_printed_json_space_is_the_same_space_as_the_yaml_one()
    {
        foreach (var objective in Objectives.Names)
        {
            var yaml = DefaultSpaces.For(objective);
            var json = SearchSpaceFile.ParseText(DefaultSpaces.Json(objective), yaml: false);
            Assert.Equal(yaml.Parameters.Select(Describe), json.Parameters.Select(Describe));
        }
        var unknown = Assert.Throws<OcrForge.Inference.OcrForgeException>(() => DefaultSpaces.Text("gan"));
        Assert.Equal("--objective gan: expected synthetic, ctc or classify", unknown.Message);
    }

    private static string Describe(SearchParameter p) =>
        $"{p.Name} {(p.Distribution is CategoricalDistribution c ? string.Join(",", c.Choices) : p.Distribution.ToString())} " +
        $"{p.Condition?.Parent} {string.Join(",", p.Condition?.Values ?? [])}";

    [Fact]
    public void Growth_and_base_filters_of_a_classifier_keep_the_preset_at_its_own_values_and_scale_its_stages()
    {
        var resnet = (CnnConfig)ModelRegistry.Create("chars74k-resnet");
        var same = (CnnConfig)ModelRegistry.Create("chars74k-resnet", [new("growth", "2"), new("base_filters", "32")]);
        Assert.Equal(resnet.Layers.Select(l => l.Filters), same.Layers.Select(l => l.Filters));
        var changed = (CnnConfig)ModelRegistry.Create("chars74k-resnet", [new("growth", "1.5"), new("base_filters", "16")]);
        Assert.Equal([16, 16, 24, 36, 54], changed.Layers.Select(l => l.Filters));
    }
}
