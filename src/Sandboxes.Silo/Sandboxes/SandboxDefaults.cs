using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Sandboxes;

/// <summary>The spec and sleep policy a sandbox gets for whatever its creator left out.</summary>
public sealed class SandboxDefaults(IOptions<SandboxesOptions> options)
{
    private readonly SandboxesOptions _options = options.Value;

    public SandboxSpec Spec() => new()
    {
        Image = _options.DefaultImage,
        Cpus = _options.DefaultCpus,
        MemoryBytes = _options.DefaultMemoryBytes,
        PidsLimit = _options.DefaultPidsLimit,
        DiskBytes = _options.DefaultDiskBytes,
    };

    /// <summary>The most disk a create may ask for (Sandboxes:MaxDiskBytes).</summary>
    public long MaxDiskBytes => _options.MaxDiskBytes;

    public SleepPolicy SleepPolicy() => new(_options.DefaultSleepAfter, KeepAlive: false);
}
