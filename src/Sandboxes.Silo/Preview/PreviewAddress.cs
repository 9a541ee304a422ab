using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sandboxes.Silo.Preview;

/// <summary>
/// The preview host name <c>{port}-{sandbox}-{token}.{domain}</c>: it names the sandbox, the
/// port and the token, so one wildcard DNS name and one listener serve every preview.
/// </summary>
public sealed partial record PreviewAddress(int Port, string Sandbox, string Token)
{
    public static bool TryParse(string host, string domain, [NotNullWhen(true)] out PreviewAddress? address)
    {
        address = null;
        var suffix = "." + domain;
        if (!host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var match = Label().Match(host[..^suffix.Length].ToLowerInvariant());
        if (!match.Success || !int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || !SandboxName.IsValid(match.Groups["sandbox"].Value))
        {
            return false;
        }

        address = new PreviewAddress(port, match.Groups["sandbox"].Value, match.Groups["token"].Value);
        return true;
    }

    public Uri ToUri(Uri baseUrl) => new UriBuilder(baseUrl.Scheme, $"{Port}-{Sandbox}-{Token}.{baseUrl.Host}", baseUrl.IsDefaultPort ? -1 : baseUrl.Port).Uri;

    [GeneratedRegex("^(?<port>[0-9]{1,5})-(?<sandbox>[a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])-(?<token>[a-z0-9]{16})$")]
    private static partial Regex Label();
}
