using OcrForge.Data;
using OcrForge.Inference.Imaging;
using OcrForge.Tests.Training;
using OcrForge.Training;
using OcrForge.Training.Classification;
using OcrForge.Training.SemiSupervised;

namespace OcrForge.Tests.Classification;

/// <summary>
/// The classifier run reaches the SGAN only through <see cref="ISemiSupervisedMethod"/>. Serial: the runs draw from
/// torch's process-wide generator.
/// </summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class SemiSupervisedMethodTests
{
    private static RunSpecification Semi(string data) => new()
    {
        Task = RunTask.Classify,
        Data = new RunData { Path = data, Format = DatasetFormat.Folders, TestFraction = 0.2, LabeledFraction = 0.5 },
        Model = new RunModel { Preset = "chars74k-cnn", Overrides = RunSpecificationTests.TinyCnn },
        Training = CharacterTraining.Recipe with
        {
            Epochs = 1, BatchSize = 8, Seed = 6, ValidationFraction = 0.2, Threads = 1,
        },
        Classifier = new ClassifierRecipe { SemiSupervised = new SganOptions { NoiseSize = 16, SampleCount = 4 } },
    };

    [Fact]
    public void A_run_with_sgan_settings_trains_the_sgan_task_and_hands_out_its_samples_each_epoch()
    {
        using var dir = new TempDir();
        var samples = new List<(int Epoch, int Count, int Width)>();

        var result = Runs.Train(Semi(RunSpecificationTests.WriteCharacters(dir.File("data"))), dir.File("s.ocrf"),
            onGeneratedSamples: (epoch, images) => samples.Add((epoch, images.Count, images[0].Width)));
        using (result.Model) { }

        Assert.Equal([(1, 4, 32)], samples);
        Assert.Contains("sgan_d_fake", result.Training.History[0].Metrics.Keys);
        Assert.True(result.UnlabeledCount > 0);
        Assert.Equal("true", result.Model.Manifest.Training["semi_supervised"]);
        Assert.Equal(16, result.Model.Manifest.Run!.Classifier!.SemiSupervised!.NoiseSize);
    }

    [Fact]
    public void A_method_the_run_specification_cannot_record_is_refused_before_training()
    {
        using var dir = new TempDir();
        var foreign = new CountingMethod();
        var spec = Semi(RunSpecificationTests.WriteCharacters(dir.File("data")));
        var request = spec.ToCharacterRequest(dir.File("f.ocrf")) with { SemiSupervised = foreign };

        var e = Assert.Throws<ArgumentException>(() => CharacterTraining.Run(request));

        Assert.StartsWith("CountingMethod: a run specification records the SGAN's settings only", e.Message);
        Assert.Equal(0, foreign.Created);
        Assert.False(File.Exists(dir.File("f.ocrf")));
    }

    private sealed class CountingMethod : ISemiSupervisedMethod
    {
        public int Created { get; private set; }

        public ITrainingTask CreateTask(SemiSupervisedInputs inputs)
        {
            Created++;
            return new ClassificationTask(inputs.Classifier, inputs.Spec, inputs.Labeled, inputs.Validation, null,
                inputs.Recipe, inputs.Labels);
        }
    }
}
