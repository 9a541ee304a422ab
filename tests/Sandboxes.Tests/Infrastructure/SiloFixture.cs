namespace Sandboxes.Tests.Infrastructure;

/// <summary>One silo shared by a collection of tests; each test uses its own sandbox names.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public TestSilo Silo { get; } = new();

    public Task InitializeAsync() => Silo.StartAsync();

    public Task DisposeAsync() => Silo.DisposeAsync().AsTask();
}
