using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;

namespace Sandboxes.Agent.Watch;

/// <summary>
/// Which paths a watch reports, from globs relative to the watched root: '*' and '?' stay
/// within a segment, '**' spans segments, and a pattern without '/' tests the last
/// segment. .git and node_modules are always excluded, and never descended into.
/// </summary>
public sealed class WatchFilter
{
    private static readonly string[] AlwaysExcluded = [".git", "node_modules"];

    private readonly List<Glob> _include;
    private readonly List<Glob> _exclude;

    public WatchFilter(IEnumerable<string> include, IEnumerable<string> exclude)
    {
        _include = [.. include.Select(Compile)];
        _exclude = [.. exclude.Concat(AlwaysExcluded).Select(Compile)];
    }

    /// <summary>False for a path under an excluded directory or itself excluded (no events, no watch).</summary>
    public bool IsExcluded(string relative)
    {
        var segments = relative.Split('/');
        for (var i = 1; i <= segments.Length; i++)
        {
            var prefix = string.Join('/', segments, 0, i);
            if (_exclude.Exists(r => Matches(r, prefix)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when a change to this path is reported.</summary>
    public bool Reports(string relative) =>
        !IsExcluded(relative) && (_include.Count == 0 || _include.Exists(r => Matches(r, relative)));

    private static bool Matches(Glob glob, string relative) =>
        glob.Pattern.IsMatch(glob.WholePath ? relative : relative[(relative.LastIndexOf('/') + 1)..]);

    private static Glob Compile(string glob)
    {
        if (glob.Length == 0 || glob.Contains('\0', StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"glob '{glob}' is empty or contains NUL"));
        }

        var pattern = new StringBuilder("^");
        var text = glob.Trim('/');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '*' && i + 1 < text.Length && text[i + 1] == '*')
            {
                // "**/" also matches no segment at all.
                var slash = i + 2 < text.Length && text[i + 2] == '/';
                pattern.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                pattern.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Glob(new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant), text.Contains('/', StringComparison.Ordinal));
    }

    /// <summary>A compiled glob; one without '/' is tested against the last segment only.</summary>
    private sealed record Glob(Regex Pattern, bool WholePath);
}
