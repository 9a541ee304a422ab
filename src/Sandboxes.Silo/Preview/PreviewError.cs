using System.Text.Json.Serialization;

namespace Sandboxes.Silo.Preview;

/// <summary>The JSON body of a preview error page.</summary>
public sealed record PreviewError(int Status, string Error, string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PreviewError))]
internal sealed partial class PreviewJson : JsonSerializerContext;
