using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using OcrForge.Inference.Decoding;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;

namespace OcrForge.Inference;

/// <summary>
/// Reads text from images with a trained CTC model: <c>TextRecognizer.Load("m.onnx").Predict(bytes)</c>.
/// Thread-safe; preprocessing is the model file's own, identical to training.
/// </summary>
public sealed class TextRecognizer : IDisposable
{
    private readonly IOcrEngine _engine;

    public TextRecognizer(IOcrEngine engine)
    {
        if (engine.Info.Task != OcrTask.TextRecognition)
            throw new OcrForgeException(
                $"{engine.Name}: model is a character classifier, not a text recogniser (use CharacterClassifier)");
        _engine = engine;
    }

    public static TextRecognizer Load(string path, string? engine = null, int? threads = null) =>
        new(EngineFactory.Open(path, engine, threads));

    public ModelInfo Info => _engine.Info;
    public IOcrEngine Engine => _engine;

    /// <summary>Beam width for decoding; 1 = greedy best path.</summary>
    public int BeamWidth { get; init; } = 1;

    /// <summary>
    /// How many batches <see cref="PredictAll"/> runs at once (default 1). For a batch job on several cores, one
    /// batch per core on an engine opened with one thread reads more images per second than one batch at a time on
    /// an engine with every core: a word model's small convolutions gain little from a second thread inside one
    /// operator (docs/RESULTS.md). The results do not depend on it: every batch holds the same images either way.
    /// </summary>
    public int ConcurrentBatches
    {
        get => _concurrentBatches;
        init => _concurrentBatches = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(ConcurrentBatches), value, "at least one batch at a time");
    }
    private readonly int _concurrentBatches = 1;

    /// <summary>
    /// A word list that constrains or biases decoding (<see cref="LexiconDecoder"/>). It needs a beam search, so
    /// with <see cref="BeamWidth"/> 1 the search uses <see cref="LexiconDecoder.DefaultBeamWidth"/>.
    /// </summary>
    public LexiconOptions? Lexicon
    {
        get => _lexicon;
        init
        {
            if (value is not null && !value.Lexicon.Charset.Symbols.SequenceEqual(Info.Charset.Symbols))
                throw new OcrForgeException($"{value.Lexicon.Source}: word list was read for the symbols "
                    + $"\"{value.Lexicon.Charset}\", not this model's \"{Info.Charset}\"");
            _lexicon = value;
        }
    }
    private readonly LexiconOptions? _lexicon;

    /// <summary>The beam width decoding actually uses.</summary>
    public int DecodingBeamWidth =>
        _lexicon is not null && BeamWidth <= 1 ? LexiconDecoder.DefaultBeamWidth : BeamWidth;

    public Prediction Predict(GrayImage image) => PredictBatch([image])[0];
    public Prediction Predict(byte[] encodedImage) => Predict(ImageDecoder.Decode(encodedImage));
    public Prediction Predict(string imagePath) => Predict(ImageDecoder.DecodeFile(imagePath));

    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<GrayImage> images,
        CancellationToken cancellationToken = default)
    {
        if (images.Count == 0) return [];
        var output = _engine.Run(Batch.Prepare(images, Info.Preprocess), cancellationToken);
        return Decode(output, cancellationToken);
    }

    /// <summary>The default number of images per engine call in <see cref="PredictAll"/>. 32, not more: a batch of
    /// 64 words is 1.4 MB of input, and its activations no longer stay in a core's cache; <c>words-fast</c> in int8
    /// read about 15 % more words per second in batches of 16 or 32 than of 64 (docs/RESULTS.md).</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>
    /// Reads any number of images, <paramref name="batchSize"/> per engine call, results in the order given. For a
    /// variable-width model the images are batched by width, as PaddleOCR's recogniser does: a batch is padded to
    /// its widest image, and a word list's widths vary about fivefold, so batches in arrival order compute over
    /// padding more than over text.
    /// </summary>
    public IReadOnlyList<Prediction> PredictAll(IReadOnlyList<GrayImage> images, int batchSize = DefaultBatchSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var order = Enumerable.Range(0, images.Count).ToArray();
        if (Info.Preprocess.VariableWidth)
            // Stable, so images of equal width keep their order and a run is reproducible.
            order = [.. order.OrderBy(i => Preprocessor.AspectWidth(images[i], Info.Preprocess))];
        var results = new Prediction[images.Count];
        var chunks = order.Chunk(batchSize).ToArray();
        void Read(int[] chunk)
        {
            var predictions = PredictBatch([.. chunk.Select(i => images[i])], cancellationToken);
            for (int k = 0; k < chunk.Length; k++) results[chunk[k]] = predictions[k];
        }
        if (ConcurrentBatches == 1 || chunks.Length == 1)
        {
            foreach (var chunk in chunks) Read(chunk);
            return results;
        }
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = ConcurrentBatches, CancellationToken = cancellationToken,
        };
        try
        {
            Parallel.ForEach(chunks, options, Read);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // The caller sees what one batch alone would have thrown (a one-line OcrForgeException, a cancellation).
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return results;
    }

    /// <summary>
    /// Reads the texts out of the engine's raw scores [N, T, C] for a batch: for callers that run the engine
    /// themselves, such as a server that gathers several requests into one engine call. Only the frames that belong
    /// to each image (<see cref="EngineOutput.Frames"/>) are decoded: the rest saw the padding of a wider neighbour.
    /// </summary>
    public IReadOnlyList<Prediction> Decode(EngineOutput output, CancellationToken cancellationToken = default)
    {
        var results = new Prediction[output.Shape[0]];
        // Images decode independently (a beam search keeps its working memory per thread), so a batch spreads over
        // the cores as its preprocessing does.
        Preprocessor.For(results.Length, n => results[n] = Decode(output, n), cancellationToken);
        return results;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Prediction Decode(EngineOutput output, int n)
    {
        int allFrames = output.Shape[1], classes = output.Shape[2], frames = output.FramesOf(n);
        var scores = output.Data.AsSpan(n * allFrames * classes, frames * classes);
        var buffer = ArrayPool<float>.Shared.Rent(frames * classes);
        try
        {
            var logProbs = buffer.AsSpan(0, frames * classes);
            for (int t = 0; t < frames; t++)
                Batch.LogSoftmax(scores.Slice(t * classes, classes), logProbs.Slice(t * classes, classes));
            return _lexicon is not null
                ? LexiconDecoder.Decode(logProbs, frames, classes, Info.Charset, _lexicon, DecodingBeamWidth)
                : BeamWidth > 1
                ? CtcDecoder.Beam(logProbs, frames, classes, Info.Charset, BeamWidth)
                : CtcDecoder.Greedy(logProbs, frames, classes, Info.Charset);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _engine.Dispose();
}

/// <summary>A class and its probability.</summary>
public sealed record ClassScore(string Label, double Probability);

/// <summary>Classifies single-character images: <c>CharacterClassifier.Load("m.onnx").Predict(bytes)</c>.
/// Thread-safe.</summary>
public sealed class CharacterClassifier : IDisposable
{
    private readonly IOcrEngine _engine;

    public CharacterClassifier(IOcrEngine engine)
    {
        if (engine.Info.Task != OcrTask.Classification)
            throw new OcrForgeException(
                $"{engine.Name}: model is a text recogniser, not a character classifier (use TextRecognizer)");
        _engine = engine;
    }

    public static CharacterClassifier Load(string path, string? engine = null, int? threads = null) =>
        new(EngineFactory.Open(path, engine, threads));

    public ModelInfo Info => _engine.Info;
    public IOcrEngine Engine => _engine;

    public IReadOnlyList<ClassScore> Predict(GrayImage image, int top = 1) => PredictBatch([image], top)[0];
    public IReadOnlyList<ClassScore> Predict(byte[] encodedImage, int top = 1) =>
        Predict(ImageDecoder.Decode(encodedImage), top);
    public IReadOnlyList<ClassScore> Predict(string imagePath, int top = 1) =>
        Predict(ImageDecoder.DecodeFile(imagePath), top);

    /// <summary>The <paramref name="top"/> most probable classes of each image, most probable first.</summary>
    public IReadOnlyList<IReadOnlyList<ClassScore>> PredictBatch(IReadOnlyList<GrayImage> images, int top = 1,
        CancellationToken cancellationToken = default)
    {
        if (images.Count == 0) return [];
        return Decode(_engine.Run(Batch.Preprocess(images, Info.Preprocess), images.Count, cancellationToken), top);
    }

    /// <summary>The <paramref name="top"/> most probable classes of each row of raw scores [N, C].</summary>
    public IReadOnlyList<IReadOnlyList<ClassScore>> Decode(EngineOutput output, int top = 1)
    {
        int count = output.Shape[0], classes = output.Shape[1];
        var results = new IReadOnlyList<ClassScore>[count];
        var logProbs = new float[classes];
        for (int n = 0; n < count; n++)
        {
            Batch.LogSoftmax(output.Data.AsSpan(n * classes, classes), logProbs);
            results[n] = Enumerable.Range(0, classes)
                .OrderByDescending(c => logProbs[c])
                .Take(Math.Clamp(top, 1, classes))
                .Select(c => new ClassScore(Info.Charset.SymbolOf(c), Math.Exp(logProbs[c])))
                .ToList();
        }
        return results;
    }

    public void Dispose() => _engine.Dispose();
}

internal static class Batch
{
    /// <summary>The public <see cref="EngineInput.Prepare"/>, under the name this package's callers use.</summary>
    public static EngineInput Prepare(IReadOnlyList<GrayImage> images, PreprocessSpec spec) =>
        EngineInput.Prepare(images, spec);

    /// <summary>The floats of <see cref="Prepare"/>: for a variable-width model padded to the widest image.</summary>
    public static float[] Preprocess(IReadOnlyList<GrayImage> images, PreprocessSpec spec) =>
        Prepare(images, spec).Data;

    /// <summary>Scores minus their log-sum-exp: a decoded word spends most of its non-model time here, one
    /// exponential per class and frame, so they are taken a vector at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSoftmax(ReadOnlySpan<float> scores, Span<float> destination)
    {
        float max = TensorPrimitives.Max(scores);
        var shifted = destination[..scores.Length];
        TensorPrimitives.Subtract(scores, max, shifted);
        Span<float> exps = scores.Length <= 1024 ? stackalloc float[scores.Length] : new float[scores.Length];
        TensorPrimitives.Exp(shifted, exps);
        TensorPrimitives.Subtract(shifted, MathF.Log(TensorPrimitives.Sum(exps)), shifted);
    }
}
