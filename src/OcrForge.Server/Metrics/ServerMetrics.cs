using Prometheus;

namespace OcrForge.Server.Metrics;

/// <summary>
/// What <c>GET /metrics</c> exposes, in a registry of its own per server, so that two servers in one process
/// (tests) count separately. Errors are the requests whose <c>code</c> label is 4xx or 5xx.
/// </summary>
internal sealed class ServerMetrics
{
    public ServerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        // Process memory, CPU and GC numbers: resident memory under load is one of the things worth watching.
        DotNetStats.Register(Registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("ocrforge_http_requests_total",
            "HTTP requests answered, by route and status code.", "route", "code");
        Latency = factory.CreateHistogram("ocrforge_http_request_duration_seconds",
            "Time to answer a request, by route.",
            new HistogramConfiguration
            {
                LabelNames = ["route"],
                Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
        BatchSize = factory.CreateHistogram("ocrforge_batch_size", "Images per engine call, by model.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = [1, 2, 4, 8, 16, 32, 64, 128] });
        Images = factory.CreateCounter("ocrforge_images_total", "Images predicted, by model.", "model");
        QueueLength = factory.CreateGauge("ocrforge_queue_length",
            "Requests waiting for the engine, by model.", "model");
        Admitted = factory.CreateGauge("ocrforge_requests_in_flight",
            "Requests admitted and not yet answered by the engine (what 429 bounds), by model.", "model");
        LoadSeconds = factory.CreateGauge("ocrforge_model_load_seconds",
            "Time taken to open the model and run it once, by model.", "model");
    }

    public CollectorRegistry Registry { get; }
    public Counter Requests { get; }
    public Histogram Latency { get; }
    public Histogram BatchSize { get; }
    public Counter Images { get; }
    public Gauge QueueLength { get; }
    public Gauge Admitted { get; }
    public Gauge LoadSeconds { get; }

    /// <summary>Queue gauges are read from the batchers at scrape time rather than updated on every request.</summary>
    public void Watch(IEnumerable<ServedModel> models)
    {
        var list = models.ToList();
        foreach (var model in list) LoadSeconds.WithLabels(model.Name).Set(model.LoadTime.TotalSeconds);
        Registry.AddBeforeCollectCallback(() =>
        {
            foreach (var model in list)
            {
                QueueLength.WithLabels(model.Name).Set(model.Batcher.QueueLength);
                Admitted.WithLabels(model.Name).Set(model.Batcher.Admitted);
            }
        });
    }
}
