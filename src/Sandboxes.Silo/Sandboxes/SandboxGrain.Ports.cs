using Sandboxes.Silo.Preview;

namespace Sandboxes.Silo.Sandboxes;

/// <summary>The sandbox's exposed ports: their tokens live in its state, and preview requests are checked here.</summary>
public sealed partial class SandboxGrain
{
    public async Task<ExposedPort> ExposePortAsync(int port, string name)
    {
        RequireValidKey();
        RequireExists();
        var exposed = ExposedPortRules.Expose(record.State.ExposedPorts, port, name, [egressOptions.Value.SandboxProxyPort], time.GetUtcNow());
        await record.WriteStateAsync();
        return exposed;
    }

    public async Task<bool> UnexposePortAsync(int port)
    {
        RequireValidKey();
        RequireExists();
        var removed = record.State.ExposedPorts.RemoveAll(p => p.Port == port) > 0;
        if (removed)
        {
            await record.WriteStateAsync();
        }

        return removed;
    }

    public Task<IReadOnlyList<ExposedPort>> GetExposedPortsAsync()
    {
        RequireValidKey();
        RequireExists();
        return Task.FromResult<IReadOnlyList<ExposedPort>>([.. record.State.ExposedPorts.OrderBy(p => p.Port)]);
    }

    public async Task<PreviewTarget> ResolvePreviewAsync(int port, string token)
    {
        var exposed = HasValidKey ? record.State.ExposedPorts.FirstOrDefault(p => p.Port == port) : null;
        if (exposed is null || !ExposedPortRules.TokenMatches(exposed, token))
        {
            return PreviewTarget.NotFound;
        }

        if (!Exists)
        {
            return record.State.DestroyedAt is null ? PreviewTarget.NotFound : PreviewTarget.Gone;
        }

        return new PreviewTarget(PreviewOutcome.Found, await WakeAsync(createIfMissing: false));
    }
}
