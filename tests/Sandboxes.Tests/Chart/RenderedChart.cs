using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Sandboxes.Tests.Chart;

/// <summary>
/// The objects helm rendered, as JSON nodes for easy reading. Every scalar stays the string
/// YAML wrote, so a test compares exactly what Kubernetes would be given.
/// </summary>
public sealed class RenderedChart(IReadOnlyList<JsonObject> objects)
{
    public IReadOnlyList<JsonObject> Objects { get; } = objects;

    public IEnumerable<string> Kinds => Objects.Select(o => (string)o["kind"]!);

    public JsonObject OfKind(string kind) =>
        Objects.SingleOrDefault(o => (string?)o["kind"] == kind)
        ?? throw new Xunit.Sdk.XunitException($"expected one {kind}; rendered: {string.Join(", ", Kinds)}");

    public JsonObject SiloContainer => (JsonObject)OfKind("DaemonSet")["spec"]!["template"]!["spec"]!["containers"]!.AsArray()
        .Single(c => (string?)c!["name"] == "silo")!;

    /// <summary>The silo's env entries by name, in the order the pod gets them.</summary>
    public IReadOnlyList<JsonObject> Env => SiloContainer["env"]!.AsArray().Select(e => (JsonObject)e!).ToList();

    public JsonObject EnvEntry(string name) =>
        Env.SingleOrDefault(e => (string?)e["name"] == name)
        ?? throw new Xunit.Sdk.XunitException($"the silo has no env {name}; it has: {string.Join(", ", Env.Select(e => e["name"]))}");

    public string EnvValue(string name) =>
        (string?)EnvEntry(name)["value"] ?? throw new Xunit.Sdk.XunitException($"env {name} has no literal value: {EnvEntry(name).ToJsonString()}");

    public bool HasEnv(string name) => Env.Any(e => (string?)e["name"] == name);

    public static RenderedChart Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var objects = stream.Documents
            .Select(d => ToJson(d.RootNode))
            .OfType<JsonObject>()
            .ToList();
        return new RenderedChart(objects);
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value!, ToJson(pair.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Value: "" or "~" or "null", Style: YamlDotNet.Core.ScalarStyle.Plain } => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };
}
