using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Training.Classification;

namespace OcrForge.Tests.Classification;

public class CharacterSplitTests
{
    [Fact]
    public void Stratified_split_of_chars74k_natural_scenes_keeps_every_class_in_train_validation_and_test()
    {
        // Given the real GoodImg file list (28–478 images per class; only listed, not decoded)
        var dataset = DatasetReader.Read(TestData.Chars74KNatural, DatasetFormat.Chars74K);
        var labels = dataset.Labels.ToList();

        // When it is split 75/10/15, stratified
        var split = Splitter.Split(labels, 0.10, 0.15, seed: 42, stratified: true);

        // Then every class is in every part and no image is in two parts
        var classes = labels.Distinct().ToHashSet();
        Assert.Equal(36, classes.Count);
        Assert.Equal(classes, split.Train.Select(i => labels[i]).ToHashSet());
        Assert.Equal(classes, split.Validation.Select(i => labels[i]).ToHashSet());
        Assert.Equal(classes, split.Test.Select(i => labels[i]).ToHashSet());
        Assert.Equal(labels.Count, split.Train.Concat(split.Validation).Concat(split.Test).Distinct().Count());
    }

    [Fact]
    public void Labeled_fraction_keeps_every_class_and_carries_the_rest_as_images_only()
    {
        var images = TinyCharacters.Make(perClass: 40);
        var charset = new Charset(["a", "b", "c", "d"], hasBlank: false);

        var split = CharacterData.Split(charset, images, 0.1, 0.1, seed: 3, labeledFraction: 0.1);

        // 32 training images per class → 3 labelled (10 %, rounded), the other 29 unlabelled
        Assert.Equal(4 * 3, split.Train.Count);
        Assert.Equal(4 * 29, split.Unlabeled.Count);
        Assert.Equal([0, 1, 2, 3], split.Train.Select(t => t.Class).Distinct().Order());
        // The unlabelled images are the training images whose labels were dropped: disjoint from the labelled ones
        var labeledImages = split.Train.Select(t => t.Image).ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.DoesNotContain(split.Unlabeled, u => labeledImages.Contains(u));
        Assert.DoesNotContain(split.Unlabeled, u => split.Test.Any(t => ReferenceEquals(t.Image, u)));
        Assert.Throws<OcrForgeException>(() => LabeledFraction.Choose([0, 1], 0, 1));
    }
}
