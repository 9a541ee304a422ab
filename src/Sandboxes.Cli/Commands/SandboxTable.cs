using Sandboxes.Protocol;

namespace Sandboxes.Cli.Commands;

/// <summary>Plain aligned tables, readable by people and by awk.</summary>
public static class SandboxTable
{
    public static string State(SandboxState state) => state switch
    {
        SandboxState.Running => "running",
        SandboxState.Sleeping => "sleeping",
        _ => "unknown",
    };

    public static void Write(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(Line(headers, widths));
        foreach (var row in all)
        {
            Console.WriteLine(Line(row, widths));
        }
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
