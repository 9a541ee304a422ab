using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sandboxes.Silo.Preview;

/// <summary>
/// The preview host name <c>{port}-{sandbox}-{token}.{domain}</c>, followed by <c>--{tenant}</c>
/// in the first label for a sandbox of any tenant but the default one (and for a default
/// tenant's sandbox whose name holds "--"). It names the sandbox, the port and the token, so
/// one wildcard DNS name and one listener serve every preview. A tenant's name holds no "--",
/// so the last "--" of a label is where its tenant begins, and a label reads back one way only.
/// </summary>
public sealed partial record PreviewAddress(int Port, SandboxKey Sandbox, string Token)
{
    private const string TenantSeparator = "--";

    public static bool TryParse(string host, string domain, [NotNullWhen(true)] out PreviewAddress? address)
    {
        address = null;
        var suffix = "." + domain;
        if (!host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var label = host[..^suffix.Length].ToLowerInvariant();
        var tenant = SandboxKey.DefaultTenant;
        var separator = label.LastIndexOf(TenantSeparator, StringComparison.Ordinal);
        if (separator >= 0)
        {
            tenant = label[(separator + TenantSeparator.Length)..];
            label = label[..separator];
        }

        var match = Label().Match(label);
        if (!match.Success || !TenantName.IsValid(tenant) || !SandboxName.IsValid(match.Groups["sandbox"].Value)
            || !int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        address = new PreviewAddress(port, new SandboxKey(tenant, match.Groups["sandbox"].Value), match.Groups["token"].Value);
        return true;
    }

    public Uri ToUri(Uri baseUrl)
    {
        var label = $"{Port}-{Sandbox.Name}-{Token}";
        if (Sandbox.Tenant != SandboxKey.DefaultTenant || Sandbox.Name.Contains(TenantSeparator, StringComparison.Ordinal))
        {
            label += TenantSeparator + Sandbox.Tenant;
        }

        return new UriBuilder(baseUrl.Scheme, $"{label}.{baseUrl.Host}", baseUrl.IsDefaultPort ? -1 : baseUrl.Port).Uri;
    }

    [GeneratedRegex("^(?<port>[0-9]{1,5})-(?<sandbox>[a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])-(?<token>[a-z0-9]{16})$")]
    private static partial Regex Label();
}
