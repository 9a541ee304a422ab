using Sandboxes.Client;
using Sandboxes.Protocol;

namespace Sandboxes.Samples.DataAnalysis;

/// <summary>
/// A headless notebook session: each step is one runCode in the sandbox's default Python
/// context, and each step uses what the one before it left in memory.
/// </summary>
public static class SalesWalkthrough
{
    public const string Csv = """
        date,region,product,revenue,cost
        2026-01-05,north,widget,1200,700
        2026-01-09,south,widget,800,520
        2026-01-14,west,gadget,1500,900
        2026-02-02,north,gadget,1700,1000
        2026-02-11,south,gizmo,600,450
        2026-02-20,west,widget,1100,640
        2026-03-03,north,gizmo,900,610
        2026-03-15,south,gadget,1300,800
        2026-03-28,west,gizmo,700,480
        """;

    /// <summary>Runs the four steps and returns the path of the chart it saved in <paramref name="outputFolder"/>.</summary>
    public static async Task<string> RunAsync(Sandbox box, string outputFolder, TextWriter log, CancellationToken cancellationToken = default)
    {
        await box.Files.WriteTextAsync("/workspace/sales.csv", Csv, cancellationToken: cancellationToken);

        // 1. Load the CSV: the DataFrame stays in the context for the next calls.
        await StepAsync(box, """
            import pandas as pd
            sales = pd.read_csv("sales.csv", parse_dates=["date"])
            print(f"{len(sales)} rows, columns: {', '.join(sales.columns)}")
            """, log, cancellationToken);

        // 2. Margins per row, from the DataFrame the first call left behind.
        await StepAsync(box, """
            sales["margin"] = (sales.revenue - sales.cost) / sales.revenue
            sales[["date", "region", "margin"]].round(3).head(3)
            """, log, cancellationToken);

        // 3. Group by region: the result comes back as text and as an HTML table.
        var grouped = await StepAsync(box, """
            by_region = sales.groupby("region").agg(revenue=("revenue", "sum"), cost=("cost", "sum"))
            by_region["margin"] = ((by_region.revenue - by_region.cost) / by_region.revenue).round(3)
            by_region
            """, log, cancellationToken);
        log.WriteLine($"(the same table as HTML: {grouped.Results.Single(r => r.IsMainResult).Html.Length} characters)");

        // 4. A bar chart: a PNG, and the chart's data as JSON.
        var charted = await StepAsync(box, """
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
            ax.bar(by_region.index, by_region.margin)
            ax.set_title("Margin by region"); ax.set_xlabel("region"); ax.set_ylabel("margin")
            plt.show()
            """, log, cancellationToken);
        var figure = charted.Results.Single(r => !r.Png.IsEmpty);
        Directory.CreateDirectory(outputFolder);
        var path = Path.GetFullPath(Path.Combine(outputFolder, "margin-by-region.png"));
        await File.WriteAllBytesAsync(path, figure.Png.ToByteArray(), cancellationToken);
        log.WriteLine($"chart data: {figure.Chart}");
        return path;
    }

    private static async Task<Execution> StepAsync(Sandbox box, string code, TextWriter log, CancellationToken cancellationToken)
    {
        var execution = await box.RunCodeAsync(code, cancellationToken: cancellationToken);
        log.Write(execution.Stdout);
        if (execution.Error is { } error)
        {
            throw new InvalidOperationException($"step failed: {error.Name}: {error.Message}\n{error.Traceback}");
        }

        foreach (var result in execution.Results.Where(r => r.IsMainResult))
        {
            log.WriteLine(result.Text);
        }

        return execution;
    }
}
