using System.Globalization;
using Sandboxes.Benchmarks.Harness;

namespace Sandboxes.Benchmarks.Reporting;

/// <summary>The human-readable table, also pasted into the README as markdown.</summary>
public static class ResultsTable
{
    public static string Markdown(IEnumerable<Samples> metrics)
    {
        var lines = new List<string>
        {
            "| metric | unit | n | p50 | p90 | p99 | min | max | failed | what |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
        };
        lines.AddRange(metrics.Select(m =>
            $"| {m.Name} | {m.Unit} | {m.Values.Count} | {F(m.Percentile(50))} | {F(m.Percentile(90))} | {F(m.Percentile(99))} | {F(m.Min)} | {F(m.Max)} | {m.Failures} | {m.Description} |"));
        return string.Join('\n', lines);
    }

    public static string F(double value) => double.IsNaN(value) ? "-" : value switch
    {
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
