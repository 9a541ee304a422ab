namespace Sandboxes.Silo.Git;

/// <summary>
/// Names what went wrong in a failed clone from git's own words, so a caller gets a status it
/// can act on and the message git printed. A refusal by the egress proxy is not judged here:
/// the proxy's own record says it (<see cref="Egress.EgressRefusals"/>).
/// </summary>
public static class GitFailure
{
    private static readonly (string Text, SandboxError Error)[] Signs =
    [
        ("returned error: 403", SandboxError.PermissionDenied),
        ("not found in upstream origin", SandboxError.NotFound),
        ("repository not exported", SandboxError.NotFound),
        ("does not appear to be a git repository", SandboxError.NotFound),
        ("returned error: 404", SandboxError.NotFound),
        ("not found", SandboxError.NotFound),
        ("already exists and is not an empty directory", SandboxError.AlreadyExists),
        ("could not connect to", SandboxError.Unavailable),
        ("Received HTTP code 502 from proxy", SandboxError.Unavailable),
        ("returned error: 502", SandboxError.Unavailable),
        ("does not resolve", SandboxError.Unavailable),
        ("Connection refused", SandboxError.Unavailable),
        ("proxy is not reachable", SandboxError.Unavailable),
        ("timed out", SandboxError.Unavailable),
    ];

    public static SandboxException From(int exitCode, string stderr)
    {
        var message = Message(stderr);
        var error = Signs.FirstOrDefault(s => message.Contains(s.Text, StringComparison.OrdinalIgnoreCase)).Error;
        return new SandboxException(
            error == default ? SandboxError.InvalidArgument : error,
            $"git clone failed (exit {exitCode}): {message}");
    }

    /// <summary>The clone's host was refused by the egress proxy while it ran.</summary>
    public static SandboxException Refused(int exitCode, string refusal, string stderr) => new(
        SandboxError.PermissionDenied,
        $"git clone failed (exit {exitCode}): the egress proxy refused {refusal}; allow the host in Egress:AllowedHosts (git said: {Message(stderr)})");

    /// <summary>git's error lines ("fatal:", "error:", "warning:" and what the proxy said), else its last lines.</summary>
    public static string Message(string stderr)
    {
        var lines = stderr.Split('\n', '\r').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var errors = lines.Where(l => l.StartsWith("fatal:", StringComparison.Ordinal) || l.StartsWith("error:", StringComparison.Ordinal)
            || l.StartsWith("sandboxes egress", StringComparison.Ordinal) || l.StartsWith("remote: ", StringComparison.Ordinal) && l.Contains("error", StringComparison.OrdinalIgnoreCase)).ToList();
        var chosen = errors.Count > 0 ? errors : lines.TakeLast(3).ToList();
        var text = string.Join(" | ", chosen.Distinct());
        return text.Length > 2000 ? text[..2000] + "..." : text.Length == 0 ? "git printed nothing" : text;
    }
}
