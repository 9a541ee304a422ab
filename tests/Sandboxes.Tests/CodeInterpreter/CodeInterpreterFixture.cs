using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.CodeInterpreter;

/// <summary>A silo whose sandboxes prestart every language, as a production silo would its configured ones.</summary>
public sealed class CodeInterpreterFixture : IAsyncLifetime
{
    public TestSilo Silo { get; } = new(new Dictionary<string, string?>
    {
        ["Sandboxes:CodePrestart"] = "python,javascript,typescript",
    });

    public Task InitializeAsync() => Silo.StartAsync();

    public Task DisposeAsync() => Silo.DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class CodeInterpreterCollection : ICollectionFixture<CodeInterpreterFixture>
{
    public const string Name = "code interpreter silo";
}
