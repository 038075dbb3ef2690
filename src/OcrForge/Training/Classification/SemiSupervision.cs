using OcrForge.Data;
using OcrForge.Inference.Imaging;
using OcrForge.Models;

namespace OcrForge.Training.Classification;

/// <summary>
/// A way of training the classifier that also learns from unlabelled images; the SGAN
/// (<c>SemiSupervised/SganOptions</c>) is one. <see cref="CharacterTraining"/> trains the task it makes in place of
/// the supervised one and scores the test split as always, so the classifier code never names a method: they
/// build on it, not the other way round.
/// </summary>
public interface ISemiSupervisedMethod
{
    /// <summary>
    /// The trainer task for one run; it trains <see cref="SemiSupervisedInputs.Classifier"/>, whose weights are the
    /// model saved. <see cref="CharacterTraining"/> disposes it when it is <see cref="IDisposable"/>.
    /// </summary>
    ITrainingTask CreateTask(SemiSupervisedInputs inputs);
}

/// <summary>What a run gives an <see cref="ISemiSupervisedMethod"/>: network, prepared split, recipe.</summary>
/// <param name="Recipe">The supervised recipe (label smoothing, sampling, weights) for the labelled images.</param>
/// <param name="SamplesPerEpoch">The run's budget per epoch; null = the method's own default.</param>
/// <param name="Labels">Class names in class order, for the validation metrics.</param>
public sealed record SemiSupervisedInputs(Cnn Classifier, PreprocessSpec Spec, IReadOnlyList<LabeledImage> Labeled,
    IReadOnlyList<GrayImage> Unlabeled, IReadOnlyList<LabeledImage> Validation, Augmenter? Augmenter,
    ClassificationRecipe Recipe, int? SamplesPerEpoch, IReadOnlyList<string> Labels);

/// <summary>A task that makes images as it trains (a generator): a run can hand them out after each epoch.</summary>
public interface IGeneratedSamples
{
    IReadOnlyList<GrayImage> Samples();
}
