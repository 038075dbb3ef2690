using OcrForge.Training;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public class CrossValidationTests
{
    [Fact]
    public void Folds_partition_the_items_stratified_and_seeded()
    {
        // 3 classes of 10, 7 and 5 items
        var groups = Enumerable.Repeat("a", 10).Concat(Enumerable.Repeat("b", 7)).Concat(Enumerable.Repeat("c", 5)).ToList();
        var folds = CrossValidation.Folds(groups, 4, seed: 3);

        Assert.Equal(4, folds.Count);
        Assert.Equal(Enumerable.Range(0, groups.Count), folds.SelectMany(f => f).Order());
        Assert.InRange(folds.Max(f => f.Length) - folds.Min(f => f.Length), 0, 1);
        foreach (var g in new[] { "a", "b", "c" })
        {
            var perFold = folds.Select(f => f.Count(i => groups[i] == g)).ToList();
            Assert.InRange(perFold.Max() - perFold.Min(), 0, 1);
        }
        Assert.Equal(folds, CrossValidation.Folds(groups, 4, seed: 3));
        Assert.NotEqual(folds, CrossValidation.Folds(groups, 4, seed: 4));
        var e = Assert.Throws<OcrForge.Inference.OcrForgeException>(() => CrossValidation.Folds(groups, 1, 0));
        Assert.Equal("--cv 1: expected 2 to 20 folds (1 = off)", e.Message);
    }

    [Fact]
    public void The_value_is_the_mean_with_the_standard_error_of_the_mean()
    {
        var (mean, se) = CrossValidation.Summarise([0.8, 0.9, 1.0]);
        Assert.Equal(0.9, mean, 12);
        Assert.Equal(0.1 / Math.Sqrt(3), se, 12);
    }
}
