using System.Diagnostics;
using System.Threading.Channels;
using OcrForge.Inference.Engines;

namespace OcrForge.Server.Batching;

/// <summary>
/// Gathers the preprocessed images of concurrent requests into one engine call per batch (and width) and hands each
/// caller its own rows of the output. One batcher per model; its queue is bounded by <see cref="TryAdmit"/>, which a
/// request must pass before it reads its body, so that memory stays bounded under any load.
/// </summary>
public sealed class MicroBatcher : IAsyncDisposable
{
    private readonly IOcrEngine _engine;
    private readonly Channel<BatchItem> _queue;
    private readonly int _maxBatch;
    private readonly long _maxDelayTicks;
    private readonly int _capacity;
    private readonly Action<int>? _onBatch;
    private readonly Task _worker;
    private int _admitted;

    /// <param name="onBatch">Told the image count of every engine call (for metrics).</param>
    public MicroBatcher(IOcrEngine engine, int maxBatch, TimeSpan maxDelay, int capacity, Action<int>? onBatch = null)
    {
        _engine = engine;
        _maxBatch = maxBatch;
        _maxDelayTicks = (long)(maxDelay.TotalSeconds * Stopwatch.Frequency);
        _capacity = capacity;
        _onBatch = onBatch;
        _queue = Channel.CreateBounded<BatchItem>(new BoundedChannelOptions(capacity) { SingleReader = true });
        // One engine call at a time: the engine already spreads one call over the cores (intra-op threads), and
        // two concurrent calls would only compete for them while each waits for its own smaller batch.
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Requests admitted and not yet answered by the engine (queued, being read, or running).</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>Requests waiting in the queue for the engine.</summary>
    public int QueueLength => _queue.Reader.Count;

    /// <summary>A place in the queue, or null when it is full (the caller answers 429). Dispose it if unused.</summary>
    public Admission? TryAdmit()
    {
        if (Interlocked.Increment(ref _admitted) <= _capacity) return new Admission(this);
        Interlocked.Decrement(ref _admitted);
        return null;
    }

    /// <summary>Runs <paramref name="count"/> preprocessed images in a coming batch; returns their rows.</summary>
    public Task<EngineOutput> RunAsync(Admission admission, float[] input, int count,
        CancellationToken cancellationToken)
    {
        var spec = _engine.Info.Preprocess;
        int width = spec.BatchWidth(input.Length, count);
        return RunAsync(admission, new EngineInput(input, count, spec.Height, width), cancellationToken);
    }

    /// <summary>
    /// Runs a packed batch (<see cref="Inference.Imaging.Preprocessor.Pack"/>) in a coming batch; returns its rows and
    /// their frame counts. Only requests of the same width share an engine call.
    /// </summary>
    public Task<EngineOutput> RunAsync(Admission admission, EngineInput input, CancellationToken cancellationToken)
    {
        var item = new BatchItem(admission, input, input.Count, cancellationToken);
        if (!_queue.Writer.TryWrite(item))
        {
            admission.Dispose();
            throw new InvalidOperationException("the model is shutting down");
        }
        return item.Result.Task.WaitAsync(cancellationToken);
    }

    private async Task WorkAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<BatchItem>();
        BatchItem? carry = null;
        while (carry is not null || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            int images = 0;
            long deadline = Stopwatch.GetTimestamp() + _maxDelayTicks;
            while (true)
            {
                while (images < _maxBatch && (carry is not null || reader.TryRead(out carry)))
                {
                    var item = carry;
                    if (images > 0 && images + item.Count > _maxBatch) break;
                    carry = null;
                    if (item.CancellationToken.IsCancellationRequested) { item.Cancel(); continue; }
                    batch.Add(item);
                    images += item.Count;
                }
                // Wait only for requests that were admitted but are still reading or decoding their images: with
                // nobody else on the way, waiting would only add latency.
                if (carry is not null || images >= _maxBatch || Admitted <= batch.Count) break;
                long remaining = deadline - Stopwatch.GetTimestamp();
                if (remaining <= 0) break;
                var more = reader.WaitToReadAsync().AsTask();
                if (await Task.WhenAny(more, Task.Delay(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency)))
                        .ConfigureAwait(false) != more || !more.Result)
                    break;
            }
            if (batch.Count > 0) Run(batch);
        }
    }

    /// <summary>
    /// One engine call per width among the gathered requests. Joining widths would pad the narrower rows, and a
    /// bidirectional RNN's backward pass crosses that padding before a word's own frames, so an answer would depend
    /// on which requests happened to arrive beside it (docs/variable-width.md). Fixed-size models have one width.
    /// </summary>
    private void Run(List<BatchItem> batch)
    {
        foreach (var group in batch.GroupBy(b => b.Input.Width)) RunTogether(group.ToList(), group.Sum(b => b.Count));
    }

    private void RunTogether(List<BatchItem> batch, int images)
    {
        try
        {
            var input = EngineInput.Concatenate(batch.Select(b => b.Input).ToList());
            var output = _engine.Run(input);
            _onBatch?.Invoke(images);
            int row = output.Data.Length / images, offset = 0;
            foreach (var item in batch)
            {
                var data = output.Data.AsSpan(offset * row, item.Count * row).ToArray();
                item.Complete(new EngineOutput(data, [item.Count, .. output.Shape[1..]])
                {
                    Frames = output.Frames?[offset..(offset + item.Count)],
                });
                offset += item.Count;
            }
        }
        catch (Exception e)
        {
            foreach (var item in batch) item.Fail(e);
        }
    }

    /// <summary>Stops taking requests and finishes the queued ones (the host has stopped accepting by then).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }

    /// <summary>A claimed place in the queue; given back once, whoever disposes it first.</summary>
    public sealed class Admission : IDisposable
    {
        private MicroBatcher? _owner;

        internal Admission(MicroBatcher owner) => _owner = owner;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _owner, null) is { } owner) Interlocked.Decrement(ref owner._admitted);
        }
    }

    private sealed class BatchItem(Admission admission, EngineInput input, int count,
        CancellationToken cancellationToken)
    {
        public EngineInput Input { get; } = input;
        public int Count { get; } = count;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public TaskCompletionSource<EngineOutput> Result { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Complete(EngineOutput output) { admission.Dispose(); Result.TrySetResult(output); }
        public void Fail(Exception e) { admission.Dispose(); Result.TrySetException(e); }
        public void Cancel() { admission.Dispose(); Result.TrySetCanceled(CancellationToken); }
    }
}
