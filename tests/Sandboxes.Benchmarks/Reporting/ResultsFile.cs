using System.Text.Json;
using System.Text.Json.Serialization;
using Sandboxes.Benchmarks.Harness;

namespace Sandboxes.Benchmarks.Reporting;

/// <summary>bench-results.json: one object per metric, plus the machine.</summary>
public static class ResultsFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task WriteAsync(string path, MachineInfo machine, bool quick, IEnumerable<Samples> metrics, IEnumerable<Ratio> ratios)
    {
        var document = new
        {
            Machine = machine,
            Quick = quick,
            Metrics = metrics.Select(m => new
            {
                m.Name,
                m.Unit,
                m.Description,
                N = m.Values.Count,
                P50 = Round(m.Percentile(50)),
                P90 = Round(m.Percentile(90)),
                P99 = Round(m.Percentile(99)),
                Min = Round(m.Min),
                Max = Round(m.Max),
                Failed = m.Failures,
                m.LastError,
            }),
            Ratios = ratios.Select(r => new { r.Name, Value = Round(r.Value), r.Target, r.Met }),
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, Options));
    }

    private static double Round(double value) => double.IsNaN(value) ? double.NaN : Math.Round(value, 3);
}
