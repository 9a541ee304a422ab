namespace Sandboxes.Silo.Egress;

/// <summary>
/// Where sandboxes may connect out, bound from the "Egress" section. Sandboxes have no
/// network of their own; every outbound connection goes through the silo's egress proxy,
/// which lets through only what is listed here.
/// </summary>
public sealed class EgressOptions
{
    public const string Section = "Egress";

    /// <summary>
    /// Patterns of <c>host</c> or <c>host:port</c>: an exact name or IP address,
    /// <c>*.example.com</c> for any subdomain, or <c>*</c> for any public host. IPv6 in
    /// brackets: <c>[2001:db8::1]:443</c>. Empty (the default) denies everything.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>The port of the HTTP proxy that sandboxd listens on inside each sandbox, on 127.0.0.1.</summary>
    public int SandboxProxyPort { get; set; } = 3128;

    /// <summary>How long resolving and connecting to a destination may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Open outbound connections one sandbox may hold at once.</summary>
    public int MaxConnectionsPerSandbox { get; set; } = 256;
}
