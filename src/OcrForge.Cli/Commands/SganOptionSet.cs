using System.CommandLine;
using OcrForge.Training;
using OcrForge.Training.SemiSupervised;

namespace OcrForge.Cli.Commands;

/// <summary><c>train classify --semi-supervised</c> and the options of the semi-supervised GAN and its data.</summary>
public sealed class SganOptionSet
{
    private static readonly SganOptions Defaults = new();

    private readonly Option<bool> _semi = new("--semi-supervised")
    {
        Description = "Train a semi-supervised GAN (Salimans et al. 2016); the saved classifier is its discriminator.",
    };

    private readonly Option<double> _labeledFraction = new("--labeled-fraction")
    {
        Description = "Use the labels of this fraction of the training split only.", DefaultValueFactory = _ => 1.0,
    };

    private readonly Option<string?> _unlabeled =
        new("--unlabeled") { Description = "Extra unlabelled images for --semi-supervised." };

    private readonly Option<double> _unsupervisedWeight = Sgan("--unsupervised-weight",
        "weight of the real/fake loss next to the cross-entropy.", Defaults.UnsupervisedWeight);

    private readonly Option<double> _entropyWeight = Sgan("--entropy-weight",
        "weight of the class entropy on unlabelled images (Dai et al. 2017).", Defaults.EntropyWeight);

    private readonly Option<double> _generatorLr = Sgan("--generator-lr",
        "the generator's Adam learning rate.", Defaults.GeneratorLearningRate);

    private readonly Option<double> _consistencyWeight = Sgan("--consistency-weight",
        "weight of the pseudo-label consistency on unlabelled images (0 = off).", Defaults.ConsistencyWeight);

    private readonly Option<double> _confidenceThreshold = Sgan("--confidence-threshold",
        "confidence an unlabelled image needs to become a pseudo-label.", Defaults.ConfidenceThreshold);

    private readonly Option<int> _unlabeledRatio = Sgan("--unlabeled-ratio",
        "unlabelled images per labelled image in a batch.", Defaults.UnlabeledRatio);

    public void AddTo(Command command)
    {
        foreach (var o in new Option[]
                 {
                     _semi, _labeledFraction, _unlabeled, _unsupervisedWeight, _entropyWeight, _generatorLr,
                     _consistencyWeight, _confidenceThreshold, _unlabeledRatio,
                 })
            command.Options.Add(o);
    }

    /// <summary>
    /// <paramref name="given"/> with the labelled share, the unlabelled folder and the GAN: --semi-supervised turns
    /// it on, and its settings apply over the file's (or the defaults).
    /// </summary>
    public RunSpecification Apply(ParseResult parse, RunSpecification given)
    {
        T Pick<T>(Option<T> option, T fallback) => TrainingOptionSet.Pick(parse, option, fallback);
        var recipe = given.Classifier ?? new ClassifierRecipe();
        var sgan = Pick(_semi, recipe.SemiSupervised is not null) ? recipe.SemiSupervised ?? new SganOptions() : null;
        return given with
        {
            Data = given.Data with
            {
                LabeledFraction = Pick(_labeledFraction, given.Data.LabeledFraction),
                Unlabeled = Pick(_unlabeled, given.Data.Unlabeled),
            },
            Classifier = recipe with
            {
                SemiSupervised = sgan is null ? null : sgan with
                {
                    UnsupervisedWeight = Pick(_unsupervisedWeight, sgan.UnsupervisedWeight),
                    EntropyWeight = Pick(_entropyWeight, sgan.EntropyWeight),
                    GeneratorLearningRate = Pick(_generatorLr, sgan.GeneratorLearningRate),
                    ConsistencyWeight = Pick(_consistencyWeight, sgan.ConsistencyWeight),
                    ConfidenceThreshold = Pick(_confidenceThreshold, sgan.ConfidenceThreshold),
                    UnlabeledRatio = Pick(_unlabeledRatio, sgan.UnlabeledRatio),
                },
            },
        };
    }

    private static Option<T> Sgan<T>(string name, string description, T defaultValue) =>
        new(name) { Description = "--semi-supervised: " + description, DefaultValueFactory = _ => defaultValue };
}
