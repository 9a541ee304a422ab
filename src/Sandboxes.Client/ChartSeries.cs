using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sandboxes.Client;

/// <summary>One series: x values are numbers or category names, y values numbers.</summary>
public sealed record ChartSeries(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("x")] IReadOnlyList<JsonElement> X,
    [property: JsonPropertyName("y")] IReadOnlyList<JsonElement> Y);
