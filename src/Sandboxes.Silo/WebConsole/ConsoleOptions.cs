namespace Sandboxes.Silo.WebConsole;

/// <summary>Where the web console answers, bound from the "Console" section.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>
    /// The host name the console and its terminal WebSocket answer on; any other host of the
    /// HTTP port (a preview host above all) gets 404 there. Empty means the host of
    /// Sandboxes:HttpUrl (127.0.0.1 by default).
    /// </summary>
    public string Host { get; set; } = "";

    public static string HostFor(ConsoleOptions options, Uri httpUrl) =>
        string.IsNullOrWhiteSpace(options.Host) ? httpUrl.Host : options.Host.Trim();
}
