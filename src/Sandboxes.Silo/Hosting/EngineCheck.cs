using Sandboxes.Silo.Containers;

namespace Sandboxes.Silo.Hosting;

/// <summary>Checks the Docker engine before anything else starts, so a wrong engine stops the silo with a message and not the first create.</summary>
public sealed class EngineCheck(SandboxFolders folders) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => folders.CheckEngineAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
