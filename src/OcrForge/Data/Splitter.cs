namespace OcrForge.Data;

/// <summary>Indices into a sample list for training, validation and test.</summary>
public sealed record SplitIndices(int[] Train, int[] Validation, int[] Test);

/// <summary>
/// Deterministic splits: the same labels, fractions and seed always give the same indices, on any machine
/// (System.Random with a seed is a fixed algorithm). Stratified splits take the fractions within every class,
/// so a rare class still appears in validation and test when it has enough samples.
/// </summary>
public static class Splitter
{
    public static SplitIndices Split(IReadOnlyList<string> labels, double validationFraction, double testFraction,
        int seed, bool stratified)
    {
        if (validationFraction < 0 || testFraction < 0 || validationFraction + testFraction >= 1)
            throw new ArgumentOutOfRangeException(nameof(validationFraction),
                "validation + test fractions must be in [0, 1)");

        var rng = new Random(seed);
        var groups = stratified
            ? labels.Select((label, i) => (label, i)).GroupBy(x => x.label, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Select(x => x.i).ToArray()).ToList()
            : [Enumerable.Range(0, labels.Count).ToArray()];

        var train = new List<int>();
        var validation = new List<int>();
        var test = new List<int>();
        foreach (var group in groups)
        {
            rng.Shuffle(group);
            int nTest = (int)Math.Round(group.Length * testFraction);
            int nVal = (int)Math.Round(group.Length * validationFraction);
            // Keep at least one training example of every class.
            if (nTest + nVal >= group.Length)
            {
                nTest = Math.Min(nTest, (group.Length - 1) / 2);
                nVal = Math.Min(nVal, group.Length - 1 - nTest);
            }
            test.AddRange(group[..nTest]);
            validation.AddRange(group[nTest..(nTest + nVal)]);
            train.AddRange(group[(nTest + nVal)..]);
        }
        // Shuffle the concatenation too, so batches mix classes even before the first epoch shuffle.
        var trainArray = train.ToArray();
        rng.Shuffle(trainArray);
        return new SplitIndices(trainArray, [.. validation.Order()], [.. test.Order()]);
    }
}
