namespace Sandboxes.Benchmarks.Harness;

/// <summary>Reads resident memory of host processes from /proc.</summary>
public static class ProcMemory
{
    public static long ResidentBytes(int pid) => StatusBytes(pid, "VmRSS:");

    /// <summary>Anonymous resident memory: what the process holds alone, without mapped files (a shared binary's pages).</summary>
    public static long PrivateBytes(int pid) => StatusBytes(pid, "RssAnon:");

    private static long StatusBytes(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>The children of <paramref name="pid"/> (docker-init's child is sandboxd).</summary>
    public static IEnumerable<int> Children(int pid)
    {
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            yield break;
        }

        foreach (var task in Directory.GetDirectories(tasks))
        {
            var children = Path.Combine(task, "children");
            if (!File.Exists(children))
            {
                continue;
            }

            foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return int.Parse(child, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }
}
