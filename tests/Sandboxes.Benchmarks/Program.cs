using Sandboxes.Benchmarks.Harness;

// Usage: bench.sh [--quick] [--out DIR] [--only TITLE]   (DIR defaults to the current folder)
var quick = args.Contains("--quick");
var outIndex = Array.IndexOf(args, "--out");
var output = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Directory.GetCurrentDirectory();
var onlyIndex = Array.IndexOf(args, "--only");
var only = onlyIndex >= 0 && onlyIndex + 1 < args.Length ? args[onlyIndex + 1] : null;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await BenchmarkRun.RunAsync(new BenchSettings(quick), output, only, cancel.Token);
