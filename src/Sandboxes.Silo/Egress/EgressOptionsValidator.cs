using Microsoft.Extensions.Options;

namespace Sandboxes.Silo.Egress;

/// <summary>Refuses to start with an allow-list entry that would silently match nothing.</summary>
public sealed class EgressOptionsValidator : IValidateOptions<EgressOptions>
{
    public ValidateOptionsResult Validate(string? name, EgressOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.AllowedHosts.Count; i++)
        {
            if (!EgressRule.TryParse(options.AllowedHosts[i], out _, out var error))
            {
                failures.Add($"Egress:AllowedHosts:{i} {error}. Write host, host:port, *.domain[:port], * or [IPv6][:port].");
            }
        }

        if (options.SandboxProxyPort is < 1 or > 65535)
        {
            failures.Add($"Egress:SandboxProxyPort must be from 1 to 65535, not {options.SandboxProxyPort}.");
        }

        if (options.MaxConnectionsPerSandbox < 1 || options.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add("Egress:MaxConnectionsPerSandbox must be at least 1 and Egress:ConnectTimeout positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
