using OcrForge.Training.Classification;

namespace OcrForge.Tests.Classification;

public class ClassificationMetricsTests
{
    [Fact]
    public void Confusion_matrix_sums_to_the_number_of_samples_and_gives_accuracy_top3_precision_recall()
    {
        // Given three classes and five scored samples
        var metrics = new ClassificationMetrics(["a", "b", "c"]);
        metrics.Add(0, [3f, 1f, 0f]);   // a → a
        metrics.Add(0, [1f, 3f, 0f]);   // a → b
        metrics.Add(1, [0f, 5f, 1f]);   // b → b
        metrics.Add(2, [2f, 1f, 0f]);   // c → a, c ranked third
        metrics.AddBatch([2], [0f, 1f, 4f]); // c → c

        // Then the matrix holds every sample once, in [true, predicted]
        var m = metrics.ConfusionMatrix;
        long total = 0;
        foreach (var v in m) total += v;
        Assert.Equal(5, total);
        Assert.Equal(5, metrics.Samples);
        Assert.Equal(1, m[0, 1]);
        Assert.Equal(1, m[2, 0]);
        Assert.Equal(3.0 / 5, metrics.Accuracy, 10);
        Assert.Equal(1.0, metrics.Top3Accuracy, 10); // only three classes: everything is in the top 3

        var perClass = metrics.PerClass();
        Assert.Equal(0.5, perClass[0].Precision, 10); // predicted a twice, right once
        Assert.Equal(0.5, perClass[0].Recall, 10);
        Assert.Equal(0.5, perClass[1].Precision, 10);
        Assert.Equal(1.0, perClass[1].Recall, 10);
        Assert.Equal(("a", "b", 1L), metrics.TopConfusions(1)[0]);
    }

    [Fact]
    public void Top3_counts_the_truth_only_when_at_most_two_classes_score_higher()
    {
        var metrics = new ClassificationMetrics(["a", "b", "c", "d", "e"]);
        metrics.Add(0, [1f, 5f, 4f, 0f, 0f]); // a is third: a top-3 hit, not a top-1 hit
        metrics.Add(0, [1f, 5f, 4f, 3f, 0f]); // a is fourth: a miss
        Assert.Equal(0.0, metrics.Accuracy);
        Assert.Equal(0.5, metrics.Top3Accuracy);
        Assert.True(double.IsNaN(metrics.PerClass()[4].Recall)); // no sample of e
    }
}
