using OcrForge.Inference;
using OcrForge.Training.Classification;

namespace OcrForge.Tests.Classification;

public class RecordedSplitTests
{
    private static readonly Charset Abcd = new(["a", "b", "c", "d"], hasBlank: false);

    private static readonly Dictionary<string, string> Facts = new()
    {
        ["seed"] = "5", ["validation_fraction"] = "0.1", ["test_fraction"] = "0.2",
    };

    [Fact]
    public void Train_validation_and_test_are_the_parts_the_training_run_made()
    {
        var images = TinyCharacters.Make(perClass: 20);
        var made = CharacterData.Split(Abcd, images, 0.1, 0.2, seed: 5);

        var train = RecordedSplit.Select(images, Abcd, "train", Facts, "m.ocrf");
        var validation = RecordedSplit.Select(images, Abcd, "validation", Facts, "m.ocrf");
        var test = RecordedSplit.Select(images, Abcd, "test", Facts, "m.ocrf");

        Assert.Equal(made.Train, train);
        Assert.Equal(made.Test, test);
        // Quantize calibrates on "train": none of its images is a test image, and the three parts cover the folder once.
        Assert.Empty(train.Intersect(test));
        Assert.Equal(images.Count, train.Concat(validation).Concat(test).Distinct().Count());
        Assert.Same(images, RecordedSplit.Select(images, Abcd, "all", new Dictionary<string, string>(), "m.ocrf"));
    }

    [Fact]
    public void A_model_without_split_facts_or_an_unknown_part_is_a_one_line_error()
    {
        var images = TinyCharacters.Make(perClass: 4);

        var missing = Assert.Throws<OcrForgeException>(() => RecordedSplit.Select(images, Abcd, "test", new Dictionary<string, string>(), "m.onnx"));
        var unknown = Assert.Throws<OcrForgeException>(() => RecordedSplit.Select(images, Abcd, "holdout", Facts, "m.onnx"));

        Assert.Equal("m.onnx: the model file does not record its training split; use --split all", missing.Message);
        Assert.Equal("--split holdout: expected all, train, validation, test", unknown.Message);
        Assert.False(RecordedSplit.IsRecorded(new Dictionary<string, string> { ["seed"] = "1" }));
        Assert.True(RecordedSplit.IsRecorded(Facts));
    }
}
