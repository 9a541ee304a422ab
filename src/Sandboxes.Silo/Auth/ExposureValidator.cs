using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;
using Sandboxes.Silo.Preview;
using Sandboxes.Silo.WebConsole;

namespace Sandboxes.Silo.Auth;

/// <summary>
/// Refuses to start a silo that would listen beyond loopback without TLS or without API keys,
/// or whose TLS or console host settings cannot work, naming the settings to fix.
/// </summary>
public sealed class ExposureValidator(IOptions<SandboxesOptions> sandboxes, IOptions<TlsOptions> tls, IOptions<ConsoleOptions> console, IOptions<PreviewOptions> preview) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (options.CacheFor <= TimeSpan.Zero || options.CacheFor > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Auth:CacheFor must be more than 0 and at most 10 minutes (it is how long a revoked key keeps working on other silos), not {options.CacheFor}.");
        }

        if (tls.Value.Configured)
        {
            failures.AddRange(CheckCertificate(tls.Value));
        }

        foreach (var (setting, url) in new[] { ("Sandboxes:GrpcUrl", sandboxes.Value.GrpcUrl), ("Sandboxes:HttpUrl", sandboxes.Value.HttpUrl) })
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed))
            {
                continue;
            }

            var secure = parsed.Scheme == Uri.UriSchemeHttps;
            if (secure && !tls.Value.Configured)
            {
                failures.Add($"{setting} '{url}' is https:// but no certificate is set: set Tls:CertificatePath and Tls:KeyPath (PEM files).");
            }

            if (!IsLoopback(parsed.DnsSafeHost))
            {
                if (!secure)
                {
                    failures.Add($"{setting} '{url}' listens beyond loopback without TLS: set Tls:CertificatePath and Tls:KeyPath (PEM files) and use an https:// URL, or listen on 127.0.0.1.");
                }

                if (!options.Enabled)
                {
                    failures.Add($"{setting} '{url}' listens beyond loopback without authentication: remove Auth:Enabled=false (every caller would be an admin), or listen on 127.0.0.1.");
                }
            }
        }

        // Silos reach each other beyond loopback only over TLS, holding the cluster's certificate.
        if (sandboxes.Value.ResolvedSiloTls && !tls.Value.Configured)
        {
            failures.Add($"Sandboxes:AdvertisedAddress '{sandboxes.Value.AdvertisedAddress}' lets silos talk beyond loopback, which takes TLS between them: set Tls:CertificatePath and Tls:KeyPath (every silo of the cluster uses the same certificate), or advertise 127.0.0.1.");
        }

        foreach (var (setting, url) in new[] { ("Sandboxes:PeerGrpcUrl", sandboxes.Value.ResolvedPeerGrpcUrl), ("Sandboxes:PeerHttpUrl", sandboxes.Value.ResolvedPeerHttpUrl) })
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var peer) && peer.Scheme != Uri.UriSchemeHttps && !IsLoopback(peer.DnsSafeHost))
            {
                failures.Add($"{setting} '{url}' is reached beyond loopback without TLS, and forwarded calls carry the cluster secret and callers' keys: use https://.");
            }
        }

        failures.AddRange(CheckConsoleHost());
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    private static IEnumerable<string> CheckCertificate(TlsOptions tls)
    {
        if (tls.CertificatePath.Length == 0 || tls.KeyPath.Length == 0)
        {
            yield return "Tls:CertificatePath and Tls:KeyPath go together: set both (PEM files) or neither.";
            yield break;
        }

        string? problem = null;
        try
        {
            using var certificate = X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return $"Tls:CertificatePath '{tls.CertificatePath}' with Tls:KeyPath '{tls.KeyPath}' could not be loaded: {problem}";
        }
    }

    private IEnumerable<string> CheckConsoleHost()
    {
        if (!Uri.TryCreate(sandboxes.Value.HttpUrl, UriKind.Absolute, out var http))
        {
            yield break;
        }

        var host = ConsoleOptions.HostFor(console.Value, http);
        if (host is "0.0.0.0" or "[::]" or "::" or "*" or "+")
        {
            yield return $"Sandboxes:HttpUrl '{sandboxes.Value.HttpUrl}' listens on every address, so set Console:Host to the host name people open the console by.";
        }

        var previews = Uri.TryCreate(preview.Value.BaseUrl, UriKind.Absolute, out var baseUrl) ? baseUrl.Host : "preview.localhost";
        if (host.Equals(previews, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + previews, StringComparison.OrdinalIgnoreCase))
        {
            yield return $"Console:Host '{host}' lies under the preview domain '{previews}': a sandbox's pages could reach the console. Give the console its own host name.";
        }
        else if (SharedParent(host, previews) is { } parent && !preview.Value.AllowSiteSharedWithConsole)
        {
            yield return $"Console:Host '{host}' and the preview domain '{previews}' share the site '{parent}': a sandbox's page could set cookies for '{parent}' (document.cookie) that the console then receives. "
                + "Serve previews on a registrable domain of their own (Preview:BaseUrl), or, if that parent is a public suffix (like co.uk), set Preview:AllowSiteSharedWithConsole=true.";
        }
    }

    /// <summary>
    /// The last two labels when both host names end in them: without the Public Suffix List,
    /// the nearest parent a page of one could set cookies for and the other would receive.
    /// </summary>
    private static string? SharedParent(string a, string b)
    {
        if (IPAddress.TryParse(a.Trim('[', ']'), out _) || IPAddress.TryParse(b.Trim('[', ']'), out _))
        {
            return null;
        }

        var left = a.TrimEnd('.').ToLowerInvariant().Split('.');
        var right = b.TrimEnd('.').ToLowerInvariant().Split('.');
        if (left.Length < 2 || right.Length < 2)
        {
            return null;
        }

        var parent = $"{left[^2]}.{left[^1]}";
        return parent == $"{right[^2]}.{right[^1]}" ? parent : null;
    }
}
