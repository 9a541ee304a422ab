using System.Collections.Immutable;
using Sandboxes.Protocol;
using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.Api;

/// <summary>Turns caller-supplied options into a spec, filling defaults and refusing nonsense.</summary>
public static class SandboxSpecs
{
    public static readonly TimeSpan MinSleepAfter = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxSleepAfter = TimeSpan.FromDays(30);

    /// <summary>Less than this leaves no room for the agent's own files.</summary>
    public const long MinDiskBytes = 32L << 20;

    public static SandboxSpec FromOptions(SandboxOptions? options, SandboxDefaults defaults)
    {
        var spec = defaults.Spec();
        if (options is null)
        {
            return spec;
        }

        if (options.Cpus != 0 && (options.Cpus < 0.01 || options.Cpus > Environment.ProcessorCount || double.IsNaN(options.Cpus)))
        {
            throw Invalid($"cpus must be between 0.01 and {Environment.ProcessorCount} (this host's cores), not {options.Cpus}");
        }

        if (options.MemoryBytes != 0 && options.MemoryBytes < 16UL << 20)
        {
            throw Invalid($"memory must be at least 16 MiB, not {options.MemoryBytes} bytes");
        }

        if (options.PidsLimit != 0 && options.PidsLimit < 16)
        {
            throw Invalid($"pids limit must be at least 16, not {options.PidsLimit}");
        }

        RequireDisk(options.DiskBytes, defaults.MaxDiskBytes);
        RequireEnv(options.Env);
        foreach (var key in options.Labels.Keys)
        {
            if (key.Length is 0 or > 128)
            {
                throw Invalid("label keys must be 1 to 128 characters");
            }
        }

        return spec with
        {
            Image = options.Image.Length == 0 ? spec.Image : options.Image,
            Cpus = options.Cpus == 0 ? spec.Cpus : options.Cpus,
            MemoryBytes = options.MemoryBytes == 0 ? spec.MemoryBytes : checked((long)options.MemoryBytes),
            PidsLimit = options.PidsLimit == 0 ? spec.PidsLimit : checked((int)options.PidsLimit),
            DiskBytes = options.DiskBytes == 0 ? spec.DiskBytes : (long)options.DiskBytes,
            Env = options.Env.ToImmutableDictionary(StringComparer.Ordinal),
            Labels = options.Labels.ToImmutableDictionary(StringComparer.Ordinal),
        };
    }

    public static SleepPolicy SleepPolicyFrom(Google.Protobuf.WellKnownTypes.Duration? sleepAfter, bool keepAlive, SleepPolicy fallback)
    {
        if (sleepAfter is null)
        {
            return fallback with { KeepAlive = keepAlive };
        }

        var value = sleepAfter.ToTimeSpan();
        if (value < MinSleepAfter || value > MaxSleepAfter)
        {
            throw Invalid($"sleep_after must be between {MinSleepAfter.TotalSeconds:0}s and {MaxSleepAfter.TotalDays:0} days, not {value}");
        }

        return new SleepPolicy(value, keepAlive);
    }

    private static void RequireDisk(ulong diskBytes, long maxDiskBytes)
    {
        if (diskBytes != 0 && (diskBytes < MinDiskBytes || diskBytes > (ulong)maxDiskBytes))
        {
            throw Invalid($"disk must be between {MinDiskBytes >> 20} MiB and {maxDiskBytes} bytes (the limit Sandboxes:MaxDiskBytes), not {diskBytes} bytes");
        }
    }

    public static void RequireEnv(IEnumerable<KeyValuePair<string, string>> env)
    {
        foreach (var (key, value) in env)
        {
            if (key.Length == 0 || key.Contains('=') || key.Contains('\0') || value.Contains('\0'))
            {
                throw Invalid($"environment variable names must be non-empty without '=' or NUL, and values without NUL ('{key}')");
            }
        }
    }

    private static SandboxException Invalid(string message) => new(SandboxError.InvalidArgument, message);
}
