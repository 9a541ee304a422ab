namespace Sandboxes;

/// <summary>A port of the sandbox reachable through a preview URL.</summary>
/// <param name="Port">The port inside the sandbox, 1024 to 65535.</param>
/// <param name="Name">A label for people; empty when none was given.</param>
/// <param name="Token">16 random characters of [a-z0-9]; part of the URL, so knowing the URL is the permission.</param>
/// <param name="ExposedAt">When the port was exposed.</param>
[GenerateSerializer, Immutable, Alias("sandboxes.ExposedPort")]
public sealed record ExposedPort(
    [property: Id(0)] int Port,
    [property: Id(1)] string Name,
    [property: Id(2)] string Token,
    [property: Id(3)] DateTimeOffset ExposedAt);
