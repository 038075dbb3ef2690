using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;

namespace OcrForge.Training.Classification;

/// <summary>A prepared character image (already at the model's input size) and its class index.</summary>
public sealed record LabeledImage(GrayImage Image, int Class);

/// <summary>
/// A character dataset split for training. <see cref="Unlabeled"/> holds images only: the labels of the part hidden
/// by <see cref="LabeledFraction"/> are dropped here, so nothing downstream can reach them.
/// </summary>
public sealed record CharacterSplit(
    Charset Charset,
    IReadOnlyList<LabeledImage> Train,
    IReadOnlyList<LabeledImage> Validation,
    IReadOnlyList<LabeledImage> Test,
    IReadOnlyList<GrayImage> Unlabeled);

/// <summary>Loading and splitting of single-character datasets (one label of one symbol per image).</summary>
public static class CharacterData
{
    /// <summary>
    /// Reads and decodes a dataset, prepares every image with <paramref name="spec"/> (the same code inference runs;
    /// null keeps the decoded images as they are) and maps labels to classes of <paramref name="charset"/>, by
    /// default a blank-free charset of the labels found, sorted ordinally. Images whose label is not in the charset
    /// are reported as problems and left out.
    /// </summary>
    public static (Charset Charset, IReadOnlyList<LabeledImage> Images, IReadOnlyList<DataProblem> Problems) Load(
        string path, DatasetFormat format, PreprocessSpec? spec, Charset? charset = null,
        IProgress<int>? progress = null)
    {
        var dataset = DatasetReader.Read(path, format);
        var decoded = DatasetDecoder.Decode(dataset, progress: progress);
        charset ??= new Charset(
            decoded.Samples.Select(s => s.Label).Distinct().Order(StringComparer.Ordinal), hasBlank: false);
        var problems = decoded.Problems.ToList();
        var images = new List<LabeledImage>(decoded.Samples.Count);
        foreach (var sample in decoded.Samples)
        {
            if (!charset.Contains(sample.Label))
            {
                problems.Add(new DataProblem(sample.Path, $"label '{sample.Label}' is not one of the model's classes"));
                continue;
            }
            images.Add(new LabeledImage(spec is null ? sample.Image : Preprocessor.Prepare(sample.Image, spec),
                charset.ClassOf(sample.Label)));
        }
        if (images.Count == 0) throw new OcrForgeException($"{path}: no image has a label among the model's classes");
        return (charset, images, problems);
    }

    /// <summary>
    /// Stratified, seeded train/validation/test split (every class keeps at least one training image); then, when
    /// <paramref name="labeledFraction"/> &lt; 1, the training part keeps the labels of that fraction only.
    /// </summary>
    public static CharacterSplit Split(Charset charset, IReadOnlyList<LabeledImage> images, double validationFraction,
        double testFraction, int seed, double labeledFraction = 1.0)
    {
        var labels = images.Select(i => i.Class.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var split = Splitter.Split(labels, validationFraction, testFraction, seed, stratified: true);
        var train = split.Train.Select(i => images[i]).ToList();
        var (labeled, unlabeled) = labeledFraction < 1.0
            ? LabeledFraction.Hide(train,
                LabeledFraction.Choose(train.Select(t => t.Class).ToList(), labeledFraction, seed))
            : (train, []);
        return new CharacterSplit(charset, labeled, split.Validation.Select(i => images[i]).ToList(),
            split.Test.Select(i => images[i]).ToList(), unlabeled);
    }
}

/// <summary>Keeps the labels of a fraction of a training set and turns the rest into unlabelled images.</summary>
public static class LabeledFraction
{
    /// <summary>
    /// Indices of the samples whose labels are kept: the fraction within every class (at least one per class), so
    /// the labelled subset has every class, as in the SGAN experiments of Salimans et al.
    /// </summary>
    public static int[] Choose(IReadOnlyList<int> classes, double fraction, int seed)
    {
        if (fraction is <= 0 or > 1)
            throw new OcrForgeException($"--labeled-fraction {fraction}: expected a number in (0, 1]");
        var rng = new Random(seed);
        var chosen = new List<int>();
        foreach (var group in classes.Select((c, i) => (c, i)).GroupBy(x => x.c).OrderBy(g => g.Key))
        {
            var members = group.Select(x => x.i).ToArray();
            rng.Shuffle(members);
            chosen.AddRange(members.Take(Math.Max(1, (int)Math.Round(members.Length * fraction))));
        }
        return [.. chosen.Order()];
    }

    /// <summary>
    /// Splits <paramref name="train"/> into the labelled samples at <paramref name="labeledIndices"/> and the images of
    /// all others, their labels dropped.
    /// </summary>
    public static (IReadOnlyList<LabeledImage> Labeled, IReadOnlyList<GrayImage> Unlabeled) Hide(
        IReadOnlyList<LabeledImage> train, IReadOnlyCollection<int> labeledIndices)
    {
        var keep = labeledIndices.ToHashSet();
        var labeled = new List<LabeledImage>(keep.Count);
        var unlabeled = new List<GrayImage>(train.Count - keep.Count);
        for (int i = 0; i < train.Count; i++)
        {
            if (keep.Contains(i)) labeled.Add(train[i]);
            else unlabeled.Add(train[i].Image);
        }
        return (labeled, unlabeled);
    }
}
