using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Limits;

/// <summary>Refuses to start with limits that make no sense or that the defaults break, naming the setting to fix.</summary>
public sealed class SandboxLimitsValidator(IOptions<SandboxesOptions> sandboxes) : IValidateOptions<SandboxLimits>
{
    public ValidateOptionsResult Validate(string? name, SandboxLimits limits)
    {
        var failures = new List<string>();
        var defaults = sandboxes.Value;
        if (limits.MaxCpus < 0 || double.IsNaN(limits.MaxCpus))
        {
            failures.Add($"Limits:MaxCpus must be 0 (this host's cores) or more, not {limits.MaxCpus}.");
        }
        else if (defaults.DefaultCpus > limits.EffectiveMaxCpus)
        {
            failures.Add($"Sandboxes:DefaultCpus ({defaults.DefaultCpus}) is above Limits:MaxCpus ({limits.EffectiveMaxCpus}).");
        }

        if (defaults.DefaultMemoryBytes > limits.MaxMemoryBytes)
        {
            failures.Add($"Sandboxes:DefaultMemoryBytes ({defaults.DefaultMemoryBytes}) is above Limits:MaxMemoryBytes ({limits.MaxMemoryBytes}).");
        }

        if (defaults.DefaultPidsLimit > limits.MaxPidsLimit)
        {
            failures.Add($"Sandboxes:DefaultPidsLimit ({defaults.DefaultPidsLimit}) is above Limits:MaxPidsLimit ({limits.MaxPidsLimit}).");
        }

        foreach (var (setting, value) in new[]
        {
            ("MaxEnvCount", limits.MaxEnvCount), ("MaxEnvBytes", limits.MaxEnvBytes), ("MaxLabelCount", limits.MaxLabelCount),
            ("MaxLabelKeyLength", limits.MaxLabelKeyLength), ("MaxLabelValueLength", limits.MaxLabelValueLength),
        })
        {
            if (value < 0)
            {
                failures.Add($"Limits:{setting} must be 0 or more, not {value}.");
            }
        }

        if (limits.AllowedImages.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("Limits:AllowedImages entries must be image references or prefixes ending in '*', not empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
