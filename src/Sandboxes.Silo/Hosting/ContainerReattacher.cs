using Sandboxes.Silo.Containers;
using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.Hosting;

/// <summary>
/// After a silo (re)start, running containers have no active grain to watch their
/// idleness. This wakes each one's grain, which re-attaches without restarting anything.
/// It repeats now and then for grains deactivated for other reasons (memory pressure).
/// </summary>
public sealed partial class ContainerReattacher(SandboxContainers containers, IGrainFactory grains, ILogger<ContainerReattacher> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                var running = (await containers.ListOwnedAsync(stoppingToken)).Where(c => c.Running).Select(c => c.Sandbox).OfType<SandboxKey>().ToList();
                await Task.WhenAll(running.Select(sandbox => grains.GetSandbox(sandbox).ReattachAsync()));
                if (running.Count > 0)
                {
                    Reattached(running.Count);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                SweepFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(1, LogLevel.Information, "Re-attached {Count} running sandbox containers")]
    private partial void Reattached(int count);

    [LoggerMessage(2, LogLevel.Warning, "Re-attach sweep failed; will try again")]
    private partial void SweepFailed(Exception exception);
}
