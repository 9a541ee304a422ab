namespace Sandboxes.Client;

/// <summary>
/// Where the SDK and sbx find the API key: the one given, else SANDBOXES_API_KEY, else the
/// bootstrap admin key the silo wrote on this host ($SANDBOXES_HOME/admin.key, by default
/// /var/lib/sandboxes/admin.key) when it is readable and the server is on this host. That
/// keeps a local node working with no set-up, and never sends the local admin key to
/// another machine.
/// </summary>
public static class ApiKeySource
{
    public const string Variable = "SANDBOXES_API_KEY";

    public const string DefaultHome = "/var/lib/sandboxes";

    /// <summary>The key to send to <paramref name="server"/>, or null when there is none anywhere.</summary>
    public static string? Find(string? given = null, Uri? server = null)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return given.Trim();
        }

        if (Environment.GetEnvironmentVariable(Variable) is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment.Trim();
        }

        if (server is not null && !server.IsLoopback)
        {
            return null;
        }

        var home = Environment.GetEnvironmentVariable("SANDBOXES_HOME") is { Length: > 0 } set ? set : DefaultHome;
        try
        {
            var file = Path.Combine(home, "admin.key");
            return File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } fromFile ? fromFile : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not readable by this user: the key must come from --api-key or the variable.
            return null;
        }
    }
}
