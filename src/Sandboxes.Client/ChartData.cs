using System.Text.Json;
using System.Text.Json.Serialization;
using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>
/// A chart's data, read from <see cref="ExecutionResult.Chart"/>: its type ("line", "bar",
/// "scatter", "unknown", or "composite" with <see cref="Charts"/>), labels and series.
/// </summary>
public sealed record ChartData(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("x_label")] string? XLabel,
    [property: JsonPropertyName("y_label")] string? YLabel,
    [property: JsonPropertyName("series")] IReadOnlyList<ChartSeries>? Series,
    [property: JsonPropertyName("charts")] IReadOnlyList<ChartData>? Charts)
{
    /// <summary>The result's chart, or null when it has none.</summary>
    public static ChartData? From(ExecutionResult result) =>
        string.IsNullOrEmpty(result.Chart) ? null : JsonSerializer.Deserialize<ChartData>(result.Chart);
}
