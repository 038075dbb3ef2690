using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Tests.Gan;
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
        var options = new ClassifierTrainingOptions { Epochs = 6, BatchSize = 16, SamplesPerEpoch = 128, LearningRate = 5e-3, WarmupEpochs = 1, BalancedSampling = true, Seed = 11 };

        var first = Run(options, train, validation);
        var second = Run(options, train, validation);

        Assert.True(first[^1].ValidationAccuracy >= 0.75, $"validation accuracy {first[^1].ValidationAccuracy}");
        Assert.Equal(first.Select(r => (r.TrainLoss, r.ValidationLoss, r.ValidationAccuracy)), second.Select(r => (r.TrainLoss, r.ValidationLoss, r.ValidationAccuracy)));
    }

    private static IReadOnlyList<EpochReport> Run(ClassifierTrainingOptions options, IReadOnlyList<LabeledImage> train, IReadOnlyList<LabeledImage> validation)
    {
        TorchRuntime.Seed(options.Seed);
        using var model = (Cnn)TinyCharacters.TinyCnn.Build(4);
        return new ClassifierTrainer(options).Train(model, TinyCharacters.Spec, train, validation);
    }
}
