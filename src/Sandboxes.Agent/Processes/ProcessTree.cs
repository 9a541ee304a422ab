using System.Globalization;
using System.Runtime.InteropServices;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// Processes found through /proc: the descendants of a process, including those that
/// left its process group, so a kill reaches the whole tree.
/// </summary>
public static class ProcessTree
{
    /// <summary>Every live process whose parent chain leads to <paramref name="root"/> (not the root itself).</summary>
    public static HashSet<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var (pid, parent) in Snapshot())
        {
            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(pid);
        }

        var found = new HashSet<int>();
        var pending = new Stack<int>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            if (!children.TryGetValue(pending.Pop(), out var list))
            {
                continue;
            }

            foreach (var child in list.Where(found.Add))
            {
                pending.Push(child);
            }
        }

        return found;
    }

    /// <summary>Sends <paramref name="signal"/> to the group <paramref name="pgid"/> and to each of <paramref name="pids"/>.</summary>
    public static void Signal(int pgid, IEnumerable<int> pids, int signal)
    {
        _ = LibC.Kill(-pgid, signal);
        foreach (var pid in pids)
        {
            _ = LibC.Kill(pid, signal);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to each of <paramref name="pids"/>.</summary>
    public static void SignalEach(IEnumerable<int> pids, int signal)
    {
        foreach (var pid in pids)
        {
            _ = LibC.Kill(pid, signal);
        }
    }

    /// <summary>True while the group or any of <paramref name="pids"/> still exists.</summary>
    public static bool AnyAlive(int pgid, IEnumerable<int> pids) =>
        Exists(-pgid) || pids.Any(Exists);

    private static bool Exists(int pid) => LibC.Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != Errno.ESRCH;

    private static List<(int Pid, int Parent)> Snapshot()
    {
        var result = new List<(int, int)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                result.Add((pid, int.Parse(fields[1], CultureInfo.InvariantCulture)));
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                // The process ended while the list was read.
            }
        }

        return result;
    }
}
