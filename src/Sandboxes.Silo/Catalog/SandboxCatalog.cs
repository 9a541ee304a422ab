namespace Sandboxes.Silo.Catalog;

[GenerateSerializer, Alias("sandboxes.SandboxCatalog")]
public sealed class SandboxCatalog
{
    [Id(0)] public Dictionary<string, SandboxView> Sandboxes { get; set; } = new(StringComparer.Ordinal);
}
