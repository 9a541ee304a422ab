using System.Collections.Immutable;
using System.Text;
using Sandboxes.Protocol;
using Sandboxes.Silo.Limits;
using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.Api;

/// <summary>Turns caller-supplied options into a spec, filling defaults and refusing nonsense.</summary>
public static class SandboxSpecs
{
    public static readonly TimeSpan MinSleepAfter = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxSleepAfter = TimeSpan.FromDays(30);

    /// <summary>Less than this leaves no room for the agent's own files.</summary>
    public const long MinDiskBytes = 32L << 20;

    public static SandboxSpec FromOptions(SandboxOptions? options, SandboxDefaults defaults, SandboxLimits limits)
    {
        var spec = defaults.Spec();
        if (options is null)
        {
            return spec;
        }

        if (options.Cpus != 0 && (options.Cpus < 0.01 || double.IsNaN(options.Cpus)))
        {
            throw Invalid($"cpus must be at least 0.01, not {options.Cpus}");
        }

        Require(options.Cpus <= limits.EffectiveMaxCpus, "cpus", options.Cpus, "MaxCpus", limits.EffectiveMaxCpus);
        if (options.MemoryBytes != 0 && options.MemoryBytes < 16UL << 20)
        {
            throw Invalid($"memory must be at least 16 MiB, not {options.MemoryBytes} bytes");
        }

        Require(options.MemoryBytes <= (ulong)limits.MaxMemoryBytes, "memory_bytes", options.MemoryBytes, "MaxMemoryBytes", limits.MaxMemoryBytes);
        if (options.PidsLimit != 0 && options.PidsLimit < 16)
        {
            throw Invalid($"pids limit must be at least 16, not {options.PidsLimit}");
        }

        Require(options.PidsLimit <= limits.MaxPidsLimit, "pids_limit", options.PidsLimit, "MaxPidsLimit", limits.MaxPidsLimit);
        RequireDisk(options.DiskBytes, defaults.MaxDiskBytes);
        RequireEnv(options.Env);
        Require(options.Env.Count <= limits.MaxEnvCount, "env (variables)", options.Env.Count, "MaxEnvCount", limits.MaxEnvCount);
        var envBytes = options.Env.Sum(e => (long)Encoding.UTF8.GetByteCount(e.Key) + Encoding.UTF8.GetByteCount(e.Value));
        Require(envBytes <= limits.MaxEnvBytes, "env (bytes of names and values)", envBytes, "MaxEnvBytes", limits.MaxEnvBytes);
        RequireLabels(options.Labels, limits);
        var image = options.Image.Length == 0 ? spec.Image : options.Image;
        if (!limits.AllowsImage(image, spec.Image))
        {
            throw Invalid($"image '{image}' is not allowed: Limits:AllowedImages allows {string.Join(", ", [spec.Image, .. limits.AllowedImages])}");
        }

        return spec with
        {
            Image = image,
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

    private static void RequireLabels(Google.Protobuf.Collections.MapField<string, string> labels, SandboxLimits limits)
    {
        Require(labels.Count <= limits.MaxLabelCount, "labels (count)", labels.Count, "MaxLabelCount", limits.MaxLabelCount);
        foreach (var (key, value) in labels)
        {
            if (key.Length == 0)
            {
                throw Invalid("label keys must not be empty");
            }

            Require(key.Length <= limits.MaxLabelKeyLength, $"label key '{key[..Math.Min(key.Length, 32)]}…' (characters)", key.Length, "MaxLabelKeyLength", limits.MaxLabelKeyLength);
            Require(value.Length <= limits.MaxLabelValueLength, $"label '{key}' value (characters)", value.Length, "MaxLabelValueLength", limits.MaxLabelValueLength);
        }
    }

    /// <summary>Refuses a value above its configured maximum, naming the request field, the setting and its value.</summary>
    private static void Require(bool withinLimit, string field, object asked, string setting, object maximum)
    {
        if (!withinLimit)
        {
            throw Invalid($"{field} {asked} is above this server's maximum of {maximum} (Limits:{setting})");
        }
    }

    private static SandboxException Invalid(string message) => new(SandboxError.InvalidArgument, message);
}
