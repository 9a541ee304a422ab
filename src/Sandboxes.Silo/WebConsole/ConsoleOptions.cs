namespace Sandboxes.Silo.WebConsole;

/// <summary>Access to the web console and its terminals, bound from the "Console" section.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>
    /// The secret that opens the console and its terminals (a shell in any sandbox). Empty
    /// means a random one for each silo start, printed when the silo is ready.
    /// </summary>
    public string Token { get; set; } = "";
}
