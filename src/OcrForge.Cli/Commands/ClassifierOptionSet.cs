using System.CommandLine;
using OcrForge.Inference.Imaging;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>train classify</c>'s own options: the test split and the classifier recipe (loss, resize, contrast), each
/// defaulting to the library's.
/// </summary>
public sealed class ClassifierOptionSet
{
    private static readonly CharacterTrainingRequest Defaults =
        new() { Data = "", OutPath = "", Options = CharacterTraining.Recipe };

    private readonly Option<double> _test = new("--test-fraction")
    {
        Description = "Share of the images held out for the final test.",
        DefaultValueFactory = _ => Defaults.TestFraction,
    };

    private readonly Option<bool> _balanced = new("--balanced") { Description = "Draw every class equally often." };

    private readonly Option<bool> _classWeights =
        new("--class-weights") { Description = "Weight the loss by inverse class frequency." };

    private readonly Option<double> _smoothing = new("--label-smoothing")
    {
        Description = "Share of the target probability spread over the other classes.",
        DefaultValueFactory = _ => Defaults.Recipe.LabelSmoothing,
    };

    private readonly Option<ResizeMode> _resize = new("--resize")
    {
        Description = "pad (keep the aspect, border colour) or stretch.", DefaultValueFactory = _ => Defaults.Resize,
    };

    private readonly Option<bool> _autoContrast = new("--auto-contrast")
    {
        Description = "Flip dark backgrounds and stretch contrast per image.",
        DefaultValueFactory = _ => Defaults.AutoContrast,
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _test, _balanced, _classWeights, _smoothing, _resize, _autoContrast })
            command.Options.Add(o);
    }

    /// <summary><paramref name="given"/> with these options applied where given (over the <c>--spec</c> file's
    /// recipe, else the default one).</summary>
    public RunSpecification Apply(ParseResult parse, RunSpecification given)
    {
        T Pick<T>(Option<T> option, T fallback) => TrainingOptionSet.Pick(parse, option, fallback);
        var recipe = given.Classifier ?? new ClassifierRecipe();
        return given with
        {
            Data = given.Data with { TestFraction = Pick(_test, given.Data.TestFraction ?? Defaults.TestFraction) },
            Classifier = recipe with
            {
                Loss = recipe.Loss with
                {
                    LabelSmoothing = Pick(_smoothing, recipe.Loss.LabelSmoothing),
                    BalancedSampling = Pick(_balanced, recipe.Loss.BalancedSampling),
                    ClassWeights = Pick(_classWeights, recipe.Loss.ClassWeights),
                },
                Resize = Pick(_resize, recipe.Resize),
                AutoContrast = Pick(_autoContrast, recipe.AutoContrast),
            },
        };
    }
}
