namespace Sandboxes.Silo.Limits;

/// <summary>
/// The most a caller may ask for when creating a sandbox, bound from the "Limits" section.
/// A request above a maximum is refused with INVALID_ARGUMENT naming the setting.
/// </summary>
public sealed class SandboxLimits
{
    public const string Section = "Limits";

    /// <summary>CPU cores one sandbox may ask for; 0 means this host's core count.</summary>
    public double MaxCpus { get; set; }

    /// <summary>Memory one sandbox may ask for, in bytes.</summary>
    public long MaxMemoryBytes { get; set; } = 16L << 30;

    /// <summary>Processes and threads one sandbox may ask for.</summary>
    public int MaxPidsLimit { get; set; } = 4096;

    /// <summary>Environment variables in a sandbox's spec.</summary>
    public int MaxEnvCount { get; set; } = 128;

    /// <summary>Bytes of a sandbox's environment, names and values together (UTF-8).</summary>
    public int MaxEnvBytes { get; set; } = 32 << 10;

    /// <summary>Labels on one sandbox.</summary>
    public int MaxLabelCount { get; set; } = 32;

    /// <summary>Characters in one label key.</summary>
    public int MaxLabelKeyLength { get; set; } = 128;

    /// <summary>Characters in one label value.</summary>
    public int MaxLabelValueLength { get; set; } = 256;

    /// <summary>
    /// Images a caller may name besides Sandboxes:DefaultImage: exact references
    /// (<c>sandboxes/sandbox:latest</c>) or prefixes ending in <c>*</c> (<c>sandboxes/*</c>).
    /// Empty means only the default image: a sandbox's image runs with the agent mounted in it,
    /// so it is the operator's choice, not the caller's.
    /// </summary>
    public List<string> AllowedImages { get; set; } = [];

    /// <summary><see cref="MaxCpus"/> with 0 read as this host's cores.</summary>
    public double EffectiveMaxCpus => MaxCpus > 0 ? MaxCpus : Environment.ProcessorCount;

    /// <summary>Whether a caller may run <paramref name="image"/> (the default image is always allowed).</summary>
    public bool AllowsImage(string image, string defaultImage) =>
        image == defaultImage || AllowedImages.Any(allowed => allowed.EndsWith('*')
            ? image.StartsWith(allowed[..^1], StringComparison.Ordinal)
            : image == allowed);
}
