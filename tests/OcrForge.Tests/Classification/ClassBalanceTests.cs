using OcrForge.Training.Classification;

namespace OcrForge.Tests.Classification;

public class ClassBalanceTests
{
    // 90 samples of class 0, 10 of class 1, none of class 2.
    private static readonly int[] Skewed = [.. Enumerable.Repeat(0, 90), .. Enumerable.Repeat(1, 10)];

    [Fact]
    public void Inverse_frequency_weights_make_every_class_weigh_the_same_and_average_one()
    {
        var w = ClassBalance.InverseFrequencyWeights(Skewed, 3);
        Assert.Equal(90 * w[0], 10 * w[1], 4);           // total weight per class is equal
        Assert.Equal(1.0, Skewed.Average(c => w[c]), 4);  // mean weight over the samples is 1
        Assert.Equal(0f, w[2]);                           // an absent class gets no weight
    }

    [Fact]
    public void Balanced_sampler_draws_rare_and_common_classes_equally_often_and_repeats_with_the_seed()
    {
        var sampler = new BalancedSampler(Skewed);
        var draws = sampler.Epoch(new Random(7), 10_000);
        double rareShare = draws.Count(i => Skewed[i] == 1) / (double)draws.Length;
        Assert.InRange(rareShare, 0.46, 0.54);                    // plain shuffling would give 0.10
        Assert.Equal(10, draws.Where(i => Skewed[i] == 1).Distinct().Count()); // every rare sample is used
        Assert.Equal(draws, sampler.Epoch(new Random(7), 10_000));
        Assert.NotEqual(draws, sampler.Epoch(new Random(8), 10_000));
    }
}
