using System.CommandLine;
using OcrForge.Cli.Commands;
using OcrForge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Tests.Training;

public class OptimizerTests
{
    public static TheoryData<OptimizerKind> Kinds => new(Enum.GetValues<OptimizerKind>());

    // A learning rate per optimizer at which a few steps make visible progress; Adadelta's lr scales an already
    // adaptive step (PyTorch's default is 1.0).
    private static double Rate(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Adadelta => 1.0,
        OptimizerKind.Sgd => 0.05,
        _ => 0.01,
    };

    private static (nn.Module<Tensor, Tensor> Model, Tensor X, Tensor Y) Regression()
    {
        manual_seed(11);
        var model = nn.Linear(4, 1);
        var x = randn(32, 4);
        var y = x.matmul(tensor(new float[] { 1, -2, 0.5f, 3 }).reshape(4, 1)) + 0.3f;
        return (model, x, y);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_optimizer_lowers_a_least_squares_loss(OptimizerKind kind)
    {
        // Given a linear model far from the least-squares solution
        var (model, x, y) = Regression();
        using var _ = model;
        double Loss() { using var l = nn.functional.mse_loss(model.call(x), y); return l.item<float>(); }
        double before = Loss();

        // When the optimizer takes five steps
        using var optimizer = OptimizerFactory.Create(kind, model.parameters(), Rate(kind), weightDecay: 0);
        for (int i = 0; i < 5; i++)
        {
            optimizer.zero_grad();
            using var loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            optimizer.step();
        }

        // Then the loss is lower
        Assert.True(Loss() < before * 0.999, $"{kind}: loss {before} → {Loss()}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Weight_decay_shrinks_weights_that_the_loss_does_not_pull_on(OptimizerKind kind)
    {
        double Norm(double? decay)
        {
            var (model, _, _) = Regression();
            using var __ = model;
            using var optimizer = OptimizerFactory.Create(kind, model.parameters(), Rate(kind), decay);
            for (int i = 0; i < 3; i++)
            {
                optimizer.zero_grad();
                // A loss with zero gradient: only the decay moves the weights.
                using var loss = model.parameters().Select(p => (p * 0).sum()).Aggregate((a, b) => a + b);
                loss.backward();
                optimizer.step();
            }
            return model.parameters().Sum(p => p.detach().square().sum().item<float>());
        }

        double untouched = Norm(0);
        Assert.True(Norm(0.1) < untouched * 0.9999, $"{kind}: decay 0.1 left the weights at {Norm(0.1)} (vs {untouched})");
        // Unset means the optimizer's default: AdamW decays (0.01), the others do not.
        if (kind == OptimizerKind.AdamW) Assert.True(Norm(null) < untouched);
        else Assert.Equal(untouched, Norm(null));
    }

    [Fact]
    public void Weight_decay_is_one_option_with_the_same_meaning_in_train_ctc_and_train_classify()
    {
        TrainingOptions Parse(TrainingOptions recipe, params string[] extra)
        {
            var set = new TrainingOptionSet(recipe, recipe == TrainCtcCommand.Recipe ? RunTask.Ctc : RunTask.Classify);
            var command = new Command("t");
            set.AddTo(command);
            var parse = command.Parse(["--data", "d", "--out", "m.ocrf", .. extra]);
            Assert.Empty(parse.Errors);
            return set.Read(parse);
        }

        foreach (var recipe in new[] { TrainCtcCommand.Recipe, TrainClassifyCommand.Recipe })
        {
            var given = Parse(recipe, "--weight-decay", "0.003", "--optimizer", "adamax");
            Assert.Equal(0.003, given.WeightDecay);
            Assert.Equal(OptimizerKind.Adamax, given.Optimizer);
            // Left out, the task's recipe decides (the classifier's measured 5e-4; the CTC recipe none).
            Assert.Equal(recipe.WeightDecay, Parse(recipe).WeightDecay);
        }
        // The run's options (stored in the model file) carry it.
        var json = System.Text.Json.JsonSerializer.Serialize(Parse(TrainCtcCommand.Recipe, "--weight-decay", "0.003"),
            IO.ModelFile.Json);
        Assert.Contains("0.003", json);
        var bad = Assert.Throws<OcrForge.Inference.OcrForgeException>(() => Parse(TrainCtcCommand.Recipe, "--weight-decay", "-1"));
        Assert.Equal("--weight-decay -1: expected 0 or more", bad.Message);
    }
}
