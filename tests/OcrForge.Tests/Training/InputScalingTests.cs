using OcrForge.Training;

namespace OcrForge.Tests.Training;

public class InputScalingTests
{
    [Fact]
    public void Without_standardisation_a_model_is_trained_and_stored_on_pixels_in_0_to_1()
    {
        // Given tiny text lines, prepared (standardised) as every run prepares them
        using var dir = new TempDir();
        var samples = TinyText.Make(24, 3);
        var (train, validation) = (samples.Take(20).ToList(), samples.Skip(20).ToList());
        var data = new CtcData("tiny", train, validation, TinyText.Charset,
            CtcTraining.Standardize(train, TinyText.Model), []);
        Assert.NotEqual(0f, data.Spec.Mean);
        var options = CtcTraining.Recipe with
        {
            Epochs = 1, BatchSize = 8, Threads = 1, Seed = 5, RunDirectory = dir.File("run"),
        };

        // When one run keeps the standardisation and another turns it off
        var (standardised, _) = CtcTraining.Fit(data, TinyText.Model, "tiny", [], options);
        using var a = standardised;
        var (raw, _) = CtcTraining.Fit(data, TinyText.Model, "tiny", [],
            options with { Standardize = false, RunDirectory = dir.File("raw") });
        using var b = raw;

        // Then the model file records the scaling its inputs were trained with, so every engine reads it the same way
        Assert.Equal(data.Spec, standardised.Manifest.Preprocess);
        Assert.Equal(data.Spec with { Mean = 0f, Std = 1f }, raw.Manifest.Preprocess);
    }
}
