using OcrForge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Tests.Training;

public class WeightAverageTests
{
    [Fact]
    public void The_average_moves_by_the_warmed_up_decay_and_swapping_twice_restores_the_model()
    {
        using var model = nn.Linear(2, 1);
        using (no_grad()) foreach (var p in model.parameters()) p.zero_();
        using var average = new WeightAverage(model, decay: 0.5);

        // The model moves to 1 and the average follows by 1 − min(0.5, 2/11), then by 1 − min(0.5, 3/12)
        using (no_grad()) foreach (var p in model.parameters()) p.fill_(1);
        average.Update(model);
        double first = 1 - 2.0 / 11;
        average.Update(model);
        double second = 0.25 * first + 0.75;

        average.Swap(model);
        Assert.All(model.parameters(), p => Assert.Equal(second, p.mean().item<float>(), 5));
        average.Swap(model);
        Assert.All(model.parameters(), p => Assert.Equal(1.0, p.mean().item<float>(), 6));
        Assert.Equal(2, average.Updates);
    }

    [Fact]
    public void The_average_survives_save_and_load()
    {
        using var model = nn.Linear(3, 2);
        using var average = new WeightAverage(model, decay: 0.9);
        using (no_grad()) foreach (var p in model.parameters()) p.add_(1);
        average.Update(model);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) average.Save(writer);

        using var copy = new WeightAverage(model, decay: 0.9);
        stream.Position = 0;
        copy.Load(new BinaryReader(stream));

        Assert.Equal(1, copy.Updates);
        using var a = nn.Linear(3, 2);
        using var b = nn.Linear(3, 2);
        average.Swap(a);
        copy.Swap(b);
        Assert.All(a.parameters().Zip(b.parameters()), pair => Assert.Equal(pair.First.data<float>().ToArray(), pair.Second.data<float>().ToArray()));
    }

    [Fact]
    public void A_decay_outside_zero_to_one_is_refused()
    {
        using var model = nn.Linear(2, 1);
        Assert.Throws<OcrForge.Inference.OcrForgeException>(() => new WeightAverage(model, 1.0));
        Assert.Throws<OcrForge.Inference.OcrForgeException>(() => new TrainingOptions { RunDirectory = "x", Ema = -0.1 }.Validate());
    }
}
