// The code interpreter's seed scenario, against a silo started with ./run.sh:
//   dotnet run --project samples/DataAnalysis [OUTPUT_FOLDER]
// Four calls into one Python context: load a CSV, compute margins, group by region, chart.
using Sandboxes.Client;
using Sandboxes.Samples.DataAnalysis;

using var client = new SandboxClient();
var box = client.Sandbox("data-analysis");
var chart = await SalesWalkthrough.RunAsync(box, args.Length > 0 ? args[0] : ".", Console.Out);
Console.WriteLine($"chart: {chart}");
