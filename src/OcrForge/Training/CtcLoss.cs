using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>
/// CTC loss over a CRNN's raw scores. The loss is each sample's negative log-likelihood summed over its frames,
/// averaged over the batch (Keras' ctc_batch_cost convention). PyTorch's reduction 'mean' also divides every sample by
/// its target length, which scales gradients by 1/label length: harmless for Adam, but it silently changes what a
/// gradient-clipping norm or an SGD learning rate means, so we keep the per-sample scale.
/// </summary>
public static class CtcLoss
{
    /// <param name="logits">[N, T, C] scores, class 0 the blank.</param>
    /// <param name="targets">Per sample, its class indices (1..C-1), not padded.</param>
    /// <param name="frames">
    /// Per sample, the frames that belong to its image (a variable-width batch); null = all T. Frames past a
    /// sample's count saw only padding and take no part in its loss.
    /// </param>
    public static Tensor Compute(Tensor logits, IReadOnlyList<int[]> targets, int[]? frames = null)
    {
        using var scope = NewDisposeScope();
        long n = logits.shape[0], t = logits.shape[1];
        // ctc_loss wants [T, N, C] log-probabilities.
        var logProbs = logits.log_softmax(2).permute(1, 0, 2);
        var flat = tensor(targets.SelectMany(t => t).Select(c => (long)c).ToArray());
        var targetLengths = tensor(targets.Select(t => (long)t.Length).ToArray());
        var inputLengths = frames is null ? full([n], t, dtype: ScalarType.Int64)
            : tensor(frames.Select(f => (long)Math.Min(f, t)).ToArray());
        // zero_infinity: a label too long for T frames (after its repeats) gives an infinite loss; zero it rather than
        // poison the batch.
        var perSample = nn.functional.ctc_loss(logProbs, flat, inputLengths, targetLengths, blank: 0,
            zero_infinity: true, reduction: nn.Reduction.None);
        return perSample.mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Best-path class sequences (repeats merged, blanks dropped) of [N, T, C] scores, each over its own
    /// <paramref name="frames"/> (null = all T): cheap training accuracy.
    /// </summary>
    public static int[][] GreedyClasses(Tensor logits, int[]? frames = null)
    {
        using var scope = NewDisposeScope();
        int n = (int)logits.shape[0], all = (int)logits.shape[1];
        var best = logits.argmax(2).to(ScalarType.Int32).contiguous().data<int>().ToArray();
        var result = new int[n][];
        for (int i = 0; i < n; i++)
        {
            var symbols = new List<int>();
            int previous = 0;
            int own = frames is null ? all : Math.Min(frames[i], all);
            for (int t = 0; t < own; t++)
            {
                int c = best[i * all + t];
                if (c != previous && c != 0) symbols.Add(c);
                previous = c;
            }
            result[i] = [.. symbols];
        }
        return result;
    }
}
