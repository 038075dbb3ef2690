namespace OcrForge.Server;

/// <summary>The served models by name; the first is the default that the unnamed routes use.</summary>
internal sealed class ModelCatalog(IReadOnlyList<ServedModel> models)
{
    public IReadOnlyList<ServedModel> All { get; } = models;
    public ServedModel Default => All[0];
    public ServedModel? Find(string name) => All.FirstOrDefault(m => m.Name == name);
    public string Names => string.Join(", ", All.Select(m => m.Name));
}
