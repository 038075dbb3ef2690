namespace OcrForge.Training;

/// <summary>
/// Training recipes measured for a preset (as PaddleOCR ships one configuration per model): a preset listed here
/// trains with its own recipe where the run's options do not say otherwise; every other preset with its task's
/// recipe (<see cref="RunSpecification.Recipe(RunTask)"/>).
/// </summary>
public static class PresetRecipes
{
    private static readonly Dictionary<string, Func<TrainingOptions, TrainingOptions>> Measured = new()
    {
        // docs/RESULTS.md, "The first OcrForge word model": 8 epochs over 20,000 synthetic words in batches of 32,
        // without augmentation (the words' own distortions are the variety), gave 80.9 % held-out word accuracy
        // in 18 minutes; the CTC recipe's 40 epochs of 16 were set for 832 captchas.
        ["words"] = recipe => recipe with { Epochs = 8, BatchSize = 32, Augment = false },
        // docs/RESULTS.md, "Words at 20× Tesseract": the strided layout takes half the time per epoch, so 20 fit in
        // 12 minutes. Without augmentation 16 epochs learned the training fonts by heart (train loss 0.005), and
        // augmentation gave back 3 points on the held-out fonts; 20 epochs read 1.5 more than 16 (24: 15 minutes).
        ["words-fast"] = recipe => recipe with { Epochs = 20, BatchSize = 32, Augment = true },
        // docs/RESULTS.md, "keras-captcha's own recipe": the Keras example's Adam at 1e-3, constant, batch 16, with
        // augmentation. Without BatchNorm a run either leaves the all-blank CTC plateau around epoch 20 or settles
        // on a few guessed symbols and crawls off too slowly to finish; augmentation made more runs leave, and one
        // still below 20 % of characters at epoch 25 starts again. Early stopping is off: the validation loss
        // barely moves on the plateau, and it stopped runs there.
        ["keras-captcha"] = recipe => recipe with
        {
            Epochs = 40, LearningRate = 1e-3, Schedule = ScheduleKind.None, Patience = 0, Augment = true,
            PlateauRestarts = 4, PlateauEpochs = 25,
        },
    };

    /// <summary>The preset's recipe: <paramref name="taskRecipe"/> changed by what was measured for it.</summary>
    public static TrainingOptions For(string preset, TrainingOptions taskRecipe) =>
        Measured.TryGetValue(preset, out var change) ? change(taskRecipe) : taskRecipe;

    /// <summary>Whether <paramref name="preset"/> carries a recipe of its own.</summary>
    public static bool Has(string preset) => Measured.ContainsKey(preset);
}
