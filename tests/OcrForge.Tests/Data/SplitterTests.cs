using OcrForge.Data;

namespace OcrForge.Tests.Data;

public class SplitterTests
{
    /// <summary>Unbalanced classes, interleaved: 100 'a', 40 'b', 10 'c', 3 'd', 1 'e'.</summary>
    private static readonly IReadOnlyList<string> Labels =
        new[] { ("a", 100), ("b", 40), ("c", 10), ("d", 3), ("e", 1) }
            .SelectMany(c => Enumerable.Range(0, c.Item2).Select(i => (Label: c.Item1, Rank: (double)i / c.Item2)))
            .OrderBy(x => x.Rank).ThenBy(x => x.Label, StringComparer.Ordinal).Select(x => x.Label).ToList();

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_a_different_one()
    {
        var first = Splitter.Split(Labels, 0.1, 0.2, seed: 5, stratified: true);
        var again = Splitter.Split(Labels, 0.1, 0.2, seed: 5, stratified: true);
        var other = Splitter.Split(Labels, 0.1, 0.2, seed: 6, stratified: true);

        Assert.Equal(first.Train, again.Train);
        Assert.Equal(first.Validation, again.Validation);
        Assert.Equal(first.Test, again.Test);
        Assert.NotEqual(first.Test, other.Test);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_index_lands_in_exactly_one_part(bool stratified)
    {
        var split = Splitter.Split(Labels, 0.15, 0.15, seed: 1, stratified);

        var all = split.Train.Concat(split.Validation).Concat(split.Test).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, Labels.Count), all);
    }

    [Fact]
    public void Stratified_splits_keep_every_class_in_train_and_take_the_fractions_within_each_class()
    {
        var split = Splitter.Split(Labels, 0.1, 0.2, seed: 3, stratified: true);

        int Count(int[] part, string label) => part.Count(i => Labels[i] == label);
        foreach (var label in Labels.Distinct()) Assert.True(Count(split.Train, label) >= 1, $"class {label} missing from train");
        Assert.Equal((20, 10, 70), (Count(split.Test, "a"), Count(split.Validation, "a"), Count(split.Train, "a")));
        Assert.Equal((8, 4, 28), (Count(split.Test, "b"), Count(split.Validation, "b"), Count(split.Train, "b")));
        Assert.Equal((2, 1, 7), (Count(split.Test, "c"), Count(split.Validation, "c"), Count(split.Train, "c")));
        // A single example stays in train rather than leaving the class unlearnable.
        Assert.Equal((0, 0, 1), (Count(split.Test, "e"), Count(split.Validation, "e"), Count(split.Train, "e")));
    }

    [Fact]
    public void Fractions_that_leave_nothing_to_train_on_are_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Splitter.Split(Labels, 0.5, 0.5, seed: 0, stratified: false));
}
