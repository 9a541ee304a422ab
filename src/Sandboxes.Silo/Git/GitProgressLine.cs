using System.Text.RegularExpressions;
using Sandboxes.Protocol;

namespace Sandboxes.Silo.Git;

/// <summary>
/// Turns git's stderr into progress events. git redraws a progress line with '\r' and ends it
/// with '\n'; both end a line here, so every redraw becomes an event.
/// </summary>
public sealed partial class GitProgressLine
{
    private readonly System.Text.StringBuilder _partial = new();

    /// <summary>The whole lines completed by this chunk of output.</summary>
    public IEnumerable<GitProgress> Add(string chunk)
    {
        var lines = new List<GitProgress>();
        foreach (var c in chunk)
        {
            if (c is '\r' or '\n')
            {
                if (_partial.Length > 0)
                {
                    lines.Add(Parse(_partial.ToString()));
                    _partial.Clear();
                }
            }
            else if (_partial.Length < 4096)
            {
                _partial.Append(c);
            }
        }

        return lines;
    }

    public static GitProgress Parse(string line)
    {
        // "Receiving objects:  45% (450/1000), 1.20 MiB | 2.00 MiB/s"; "remote: Counting objects: 100% (3/3), done."
        var match = Phase().Match(line);
        return match.Success
            ? new GitProgress { Phase = match.Groups["phase"].Value, Percent = int.Parse(match.Groups["percent"].Value, System.Globalization.CultureInfo.InvariantCulture), Line = line }
            : new GitProgress { Phase = "", Percent = -1, Line = line };
    }

    [GeneratedRegex(@"^(?:remote: )?(?<phase>[A-Za-z][A-Za-z ]*?):\s+(?<percent>\d{1,3})%")]
    private static partial Regex Phase();
}
