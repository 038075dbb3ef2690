using static TorchSharp.torch;

namespace OcrForge.Training.SemiSupervised;

/// <summary>
/// The losses of the semi-supervised GAN of Salimans et al. 2016 ("Improved Techniques for Training GANs", §5).
/// The discriminator has K class logits l and an implicit (K+1)-th "fake" logit fixed at 0, so with Z = Σ exp(l_k)
/// the probability of "real" is D(x) = Z / (Z + 1), i.e. sigmoid(logsumexp(l)).
/// </summary>
public static class SganLoss
{
    /// <summary>
    /// Cross-entropy over the K real classes for labelled images (label smoothing and class weights as the supervised
    /// recipe).
    /// </summary>
    public static Tensor Supervised(Tensor logits, Tensor targets, double labelSmoothing = 0,
        Tensor? classWeights = null) =>
        nn.functional.cross_entropy(logits, targets, classWeights, label_smoothing: labelSmoothing);

    /// <summary>
    /// −½·E[log D(x_real)] − ½·E[log(1 − D(G(z)))]. With s = logsumexp(l): −log D = softplus(s) − s and
    /// −log(1 − D) = softplus(s), both stable for any s.
    /// </summary>
    public static Tensor Unsupervised(Tensor realLogits, Tensor fakeLogits)
    {
        using var scope = NewDisposeScope();
        var realLse = realLogits.logsumexp(1);
        var fakeLse = fakeLogits.logsumexp(1);
        var real = (nn.functional.softplus(realLse) - realLse).mean();
        var fake = nn.functional.softplus(fakeLse).mean();
        return (0.5 * (real + fake)).MoveToOuterDisposeScope();
    }

    /// <summary>Feature matching: ‖E f(x_real) − E f(G(z))‖² over the discriminator's pooled features [N, F].</summary>
    public static Tensor FeatureMatching(Tensor realFeatures, Tensor fakeFeatures)
    {
        using var scope = NewDisposeScope();
        var diff = realFeatures.detach().mean([0]) - fakeFeatures.mean([0]);
        return diff.square().mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean entropy of the class distribution softmax(l) [N, K] → scalar. Minimised on unlabelled images it moves the
    /// decision boundaries away from them (Grandvalet &amp; Bengio 2005); Dai et al. 2017 ("Good Semi-supervised
    /// Learning That Requires a Bad GAN") add it to the SGAN discriminator's loss.
    /// </summary>
    public static Tensor ConditionalEntropy(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var logProbabilities = nn.functional.log_softmax(logits, 1);
        return (-(logProbabilities.exp() * logProbabilities).sum(1).mean()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pseudo-label consistency (the unlabelled loss of FixMatch, Sohn et al. 2020; CT-GAN, Wei et al. 2018, adds a
    /// consistency term to the SGAN discriminator for the same reason): where the prediction on the plain image is
    /// confident (max probability ≥ <paramref name="threshold"/>), the augmented, noised view must predict the same
    /// class. Averaged over the whole batch, so unconfident images weigh zero rather than being renormalised away.
    /// </summary>
    /// <param name="augmentedLogits">[N, K] logits of the augmented views, attached to the graph.</param>
    /// <param name="plainLogits">[N, K] logits of the same images unaugmented (no gradient flows through them).</param>
    /// <returns>The loss and the share of images that passed the threshold.</returns>
    public static (Tensor Loss, double Confident) PseudoLabelConsistency(Tensor augmentedLogits, Tensor plainLogits,
        double threshold)
    {
        using var scope = NewDisposeScope();
        var probabilities = nn.functional.softmax(plainLogits.detach(), 1);
        var (confidence, pseudoLabels) = probabilities.max(1);
        var mask = confidence.ge(threshold).to_type(augmentedLogits.dtype);
        var perImage = nn.functional.cross_entropy(augmentedLogits, pseudoLabels, reduction: nn.Reduction.None);
        var loss = (perImage * mask).mean();
        return (loss.MoveToOuterDisposeScope(), mask.mean().item<float>());
    }

    /// <summary>D(x) = sigmoid(logsumexp(l)): the discriminator's probability that images are real.</summary>
    public static Tensor RealProbability(Tensor logits) => logits.logsumexp(1).sigmoid();
}
