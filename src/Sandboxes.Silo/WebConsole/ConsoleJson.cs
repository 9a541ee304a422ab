using System.Text.Json.Serialization;

namespace Sandboxes.Silo.WebConsole;

/// <summary>What the console's JSON API returns.</summary>
public sealed record ConsoleSandbox(string Name, string State, string Image, IReadOnlyDictionary<string, string> Labels);

public sealed record ConsoleSandboxes(IReadOnlyList<ConsoleSandbox> Sandboxes);

public sealed record ConsolePort(int Port, string Name, string Url);

public sealed record ConsolePorts(IReadOnlyList<ConsolePort> Ports);

public sealed record ConsoleProblem(string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ConsoleSandboxes))]
[JsonSerializable(typeof(ConsolePorts))]
[JsonSerializable(typeof(ConsolePort))]
[JsonSerializable(typeof(ConsoleProblem))]
internal sealed partial class ConsoleJson : JsonSerializerContext;
