using Sandboxes.Benchmarks.Harness;
using ScottPlot;

namespace Sandboxes.Benchmarks.Reporting;

/// <summary>Exec latency distributions side by side, as cumulative curves on a log axis.</summary>
public static class LatencyPlot
{
    public static void Save(string path, IReadOnlyCollection<Samples> metrics, MachineInfo machine)
    {
        var plot = new Plot();
        foreach (var (name, label) in new[] { ("exec", "Sandboxes SDK exec"), ("docker_api_exec", "Docker API exec"), ("docker_cli_exec", "docker exec (CLI)") })
        {
            var samples = metrics.FirstOrDefault(m => m.Name == name);
            if (samples is null || samples.Values.Count == 0)
            {
                continue;
            }

            var sorted = samples.Values.Order().ToArray();
            var xs = sorted.Select(v => Math.Log10(Math.Max(v, 0.01))).ToArray();
            var ys = sorted.Select((_, i) => 100.0 * (i + 1) / sorted.Length).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = $"{label} (p50 {ResultsTable.F(samples.Percentile(50))} ms, n={sorted.Length})";
            line.LineWidth = 2;
        }

        double[] ticks = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            ticks.Select(Math.Log10).ToArray(),
            ticks.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Title("exec of `true`: latency distribution (lower is better)");
        plot.XLabel("latency, ms (log scale)");
        plot.YLabel("% of calls at or below");
        plot.Legend.Alignment = Alignment.LowerRight;
        plot.Axes.SetLimitsY(0, 100);
        plot.Add.Annotation($"{machine.Cores} cores, {machine.Date}", Alignment.UpperLeft);
        plot.SavePng(path, 900, 520);
    }
}
