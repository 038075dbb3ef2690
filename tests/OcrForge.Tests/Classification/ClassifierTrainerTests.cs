using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Tests.Gan;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Tests.Classification;

[Collection(SeededTorchCollection.Name)]
public class ClassifierTrainerTests
{
    [Fact]
    public void Seeded_training_learns_the_tiny_set_and_repeats_exactly()
    {
        var train = TinyCharacters.Make(perClass: 16, seed: 1);
        var validation = TinyCharacters.Make(perClass: 4, seed: 2);
        var recipe = new ClassificationRecipe { BalancedSampling = true, SamplesPerEpoch = 128 };

        var first = Run(recipe, train, validation);
        var second = Run(recipe, train, validation);

        Assert.True(first.Best.ValidationAccuracy >= 0.75, $"validation accuracy {first.Best.ValidationAccuracy}");
        Assert.Equal(first.History.Select(r => (r.TrainLoss, r.ValidationLoss, r.ValidationAccuracy)),
            second.History.Select(r => (r.TrainLoss, r.ValidationLoss, r.ValidationAccuracy)));
    }

    private static TrainingResult Run(ClassificationRecipe recipe, IReadOnlyList<LabeledImage> train, IReadOnlyList<LabeledImage> validation)
    {
        using var dir = new TempDir();
        var options = new TrainingOptions
        {
            RunDirectory = dir.Path,
            Epochs = 6,
            BatchSize = 16,
            LearningRate = 5e-3,
            Schedule = ScheduleKind.OneCycle,
            Augment = true,
            Patience = 0,
            Seed = 11,
            Threads = 1,
        };
        TorchRuntime.Seed(options.Seed);
        using var model = (Cnn)TinyCharacters.TinyCnn.Build(4);
        using var task = new ClassificationTask(model, TinyCharacters.Spec, train, validation,
            new OcrForge.Data.Augmenter(OcrForge.Data.AugmentOptions.Characters), recipe, ["a", "b", "c", "d"]);
        return new Trainer(options).Fit(task);
    }
}
