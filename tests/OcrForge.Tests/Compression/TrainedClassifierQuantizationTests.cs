using OcrForge.Compression.Quantization;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using static TorchSharp.torch;

namespace OcrForge.Tests.Compression;

/// <summary>
/// int8 against fp32 where it matters: a classifier trained for a few seconds on real font-rendered digits
/// (Chars74K Fnt), quantized with calibration on its training images, evaluated on held-out images.
/// </summary>
public class TrainedClassifierQuantizationTests
{
    private const int Size = 24, PerClass = 30, HeldOutPerClass = 12;

    [Fact]
    public void Int8_predictions_agree_with_fp32_on_held_out_images()
    {
        var (train, test) = LoadDigits();
        using var model = Train(train);
        var images = test.Select(t => t.Image).ToList();
        // Not disposed: the torch engine owns the model, which the quantizer still needs.
        var floatPredictions = Predict(new CharacterClassifier(new OcrForge.Engines.TorchEngine(model)), images);
        double floatAccuracy = Accuracy(floatPredictions, test);

        var result = Int8Quantizer.Quantize(model, train.Select(t => t.Image).ToList(), new QuantizationOptions { BatchSize = 32, CalibrationBatches = 5, PerChannel = true });
        var int8Predictions = Int8Quantizer.Predict(result.Model, images);
        double int8Accuracy = Accuracy(int8Predictions, test);

        Assert.True(floatAccuracy >= 0.8, $"the classifier did not learn (fp32 accuracy {floatAccuracy:P1}); the comparison would mean nothing");
        Assert.True(Int8Quantizer.Agreement(floatPredictions, int8Predictions) >= 0.95, $"int8 agrees with fp32 on {Int8Quantizer.Agreement(floatPredictions, int8Predictions):P1}");
        Assert.True(floatAccuracy - int8Accuracy <= 0.03, $"accuracy fp32 {floatAccuracy:P1} → int8 {int8Accuracy:P1}");
    }

    private static List<string> Predict(CharacterClassifier classifier, IReadOnlyList<GrayImage> images) =>
        classifier.PredictBatch(images).Select(p => p[0].Label).ToList();

    private static double Accuracy(IReadOnlyList<string> predictions, IReadOnlyList<(GrayImage Image, string Label)> truth) =>
        predictions.Zip(truth, (p, t) => p == t.Label ? 1.0 : 0.0).Average();

    private static (List<(GrayImage Image, string Label)> Train, List<(GrayImage Image, string Label)> Test) LoadDigits()
    {
        var train = new List<(GrayImage, string)>();
        var test = new List<(GrayImage, string)>();
        for (int digit = 0; digit < 10; digit++)
        {
            var files = Directory.GetFiles(TestData.Under("chars74k", "English", "Fnt", $"Sample{digit + 1:000}"), "*.png").Order(StringComparer.Ordinal).ToList();
            // Every 10th font for the held-out set, so test fonts are unseen.
            for (int i = 0; i < (PerClass + HeldOutPerClass) * 10 && i < files.Count; i += 10)
            {
                for (int k = 0; k < 10 && i + k < files.Count; k++)
                {
                    var image = Preprocessor.Resize(ImageDecoder.DecodeFile(files[i + k]), Size, Size);
                    var target = k == 0 ? test : train;
                    if ((k == 0 && test.Count(t => t.Item2 == $"{digit}") < HeldOutPerClass) || (k > 0 && train.Count(t => t.Item2 == $"{digit}") < PerClass))
                        target.Add((image, $"{digit}"));
                }
            }
        }
        return (train, test);
    }

    private static TrainedModel Train(List<(GrayImage Image, string Label)> samples)
    {
        TorchRuntime.Seed(5);
        var config = ModelRegistry.Create("chars74k-cnn", ModelRegistry.ParseOverrides([$"height={Size}", $"width={Size}", "filters=16,16,16,24,24,24"]));
        var charset = new Charset(Enumerable.Range(0, 10).Select(d => $"{d}"), hasBlank: false);
        var spec = new PreprocessSpec(Size, Size, Mean: 0.5f, Std: 0.5f, Invert: true);
        var model = TrainedModel.Create(config, charset, spec);
        var input = new float[samples.Count * Size * Size];
        for (int i = 0; i < samples.Count; i++) Preprocessor.Normalize(samples[i].Image.Pixels, spec, input.AsSpan(i * Size * Size, Size * Size));
        var labels = samples.Select(s => (long)charset.ClassOf(s.Label)).ToArray();
        var optimizer = optim.Adam(model.Module.parameters(), 3e-3);
        var rng = new Random(5);
        model.Module.train();
        for (int epoch = 0; epoch < 6; epoch++)
        {
            var order = Enumerable.Range(0, samples.Count).ToArray();
            rng.Shuffle(order);
            foreach (var chunk in order.Chunk(32))
            {
                using var scope = NewDisposeScope();
                var x = tensor(chunk.SelectMany(i => input.AsSpan(i * Size * Size, Size * Size).ToArray()).ToArray(), [chunk.Length, 1, Size, Size]);
                var y = tensor(chunk.Select(i => labels[i]).ToArray());
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.Module.forward(x), y).backward();
                optimizer.step();
            }
        }
        model.Module.eval();
        return model;
    }
}
