namespace Sandboxes.Silo.Preview;

/// <summary>How preview URLs look, bound from the "Preview" section.</summary>
public sealed class PreviewOptions
{
    public const string Section = "Preview";

    /// <summary>
    /// Scheme, domain and port of preview URLs: a port's URL is
    /// <c>{scheme}://{port}-{sandbox}-{token}.{domain}[:{port}]</c>. Empty means
    /// <c>http://preview.localhost:{the port of Sandboxes:HttpUrl}</c>, which browsers and curl
    /// resolve to loopback with no DNS set-up. Behind a TLS proxy with a wildcard certificate,
    /// set e.g. <c>https://preview.example.com</c>.
    /// </summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>
    /// Lets the console's host and the preview domain end in the same two labels. The silo
    /// refuses that by default (a preview page could set cookies for the shared parent); set
    /// this only when that parent is a public suffix, such as <c>co.uk</c>.
    /// </summary>
    public bool AllowSiteSharedWithConsole { get; set; }

    /// <summary>How long the silo trusts a token check before asking the sandbox's grain again.</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(5);
}
