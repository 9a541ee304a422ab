using System.Globalization;
using Sandboxes.Protocol;

namespace Sandboxes.Silo.Git;

/// <summary>A checked clone request: the URL, branch and directory git will be given, or a reason to refuse.</summary>
public sealed record GitClone(string Url, string Branch, string Directory, int Depth)
{
    public const string Workspace = "/workspace";
    private const int MaxUrlLength = 2048;

    /// <summary>Variables for git: every host through the egress proxy (even 127.0.0.1), and no prompts.</summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["NO_PROXY"] = "",
        ["no_proxy"] = "",
        ["GIT_TERMINAL_PROMPT"] = "0",
        ["GIT_ASKPASS"] = "true",
        ["LC_ALL"] = "C",
    };

    public static GitClone From(GitCheckoutRequest request)
    {
        var url = request.Url.Trim();
        if (url.Length == 0 || url.Length > MaxUrlLength || url.Any(char.IsControl) || url.Contains(' ', StringComparison.Ordinal))
        {
            throw Invalid($"the URL must be 1 to {MaxUrlLength} characters without spaces or control characters");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "git") || uri.Host.Length == 0)
        {
            throw Invalid($"'{url}' is not an http://, https:// or git:// URL (ssh and file URLs are not supported)");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw Invalid("the URL carries credentials (user:password@); credentials never enter a sandbox, so a clone takes only public or egress-authorised URLs");
        }

        if (request.Depth < 0)
        {
            throw Invalid($"depth must be 0 (all history) or more, not {request.Depth}");
        }

        return new GitClone(url, CheckBranch(request.Branch), TargetDirectory(request.TargetDir, uri), request.Depth);
    }

    /// <summary>The host git connects to first, as the egress proxy names it.</summary>
    public string Host => new Uri(Url).IdnHost;

    public List<string> Argv()
    {
        var argv = new List<string> { "git", "clone", "--progress" };
        if (Branch.Length > 0)
        {
            argv.AddRange(["--branch", Branch]);
        }

        if (Depth > 0)
        {
            argv.AddRange(["--depth", Depth.ToString(CultureInfo.InvariantCulture)]);
        }

        argv.AddRange(["--", Url, Directory]);
        return argv;
    }

    // The rules of git check-ref-format that matter for a name passed on a command line.
    private static string CheckBranch(string branch)
    {
        if (branch.Length == 0)
        {
            return branch;
        }

        if (branch.Length > 255 || branch.StartsWith('-') || branch.StartsWith('/') || branch.EndsWith('/') || branch.EndsWith(".lock", StringComparison.Ordinal)
            || branch.Contains("..", StringComparison.Ordinal) || branch.Contains("@{", StringComparison.Ordinal)
            || branch.Any(c => char.IsControl(c) || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\'))
        {
            throw Invalid($"'{branch}' is not a valid branch or tag name");
        }

        return branch;
    }

    private static string TargetDirectory(string target, Uri uri)
    {
        if (target.Contains('\0', StringComparison.Ordinal) || target.Length > 4096)
        {
            throw Invalid("the target directory must be at most 4096 characters without NUL");
        }

        if (target.Length == 0)
        {
            var name = Path.GetFileNameWithoutExtension(uri.AbsolutePath.TrimEnd('/').Split('/')[^1]);
            target = name.Length == 0 || name.StartsWith('.') ? "repository" : name;
        }

        var full = Path.GetFullPath(target, Workspace);
        if (full == "/")
        {
            throw Invalid("the target directory cannot be /");
        }

        return full;
    }

    private static SandboxException Invalid(string message) => new(SandboxError.InvalidArgument, message);
}
