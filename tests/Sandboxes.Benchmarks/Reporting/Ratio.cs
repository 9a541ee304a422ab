namespace Sandboxes.Benchmarks.Reporting;

/// <summary>A product-versus-baseline figure from the same run, and the target it must meet.</summary>
public sealed record Ratio(string Name, double Value, string Target, bool? Met);
