using Grpc.Core;
using Sandboxes.Silo.Agents;
using Sandboxes.Silo.Cluster;
using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.Api;

/// <summary>
/// The fast path from an API call to the agent: one short grain call wakes the sandbox
/// (creating it with defaults if needed) and counts as activity; the data then flows
/// between the caller and the agent without holding the grain, and the silo counts the call
/// as activity until it ends (<see cref="SandboxActivity"/>).
/// </summary>
public sealed class SandboxConnector(IGrainFactory grains, AgentChannels agents, SandboxActivity activity, LocalHost host)
{
    private async Task<AgentConnection> ConnectAsync(SandboxKey sandbox)
    {
        // A sandbox that a call creates (it did not exist) is made on the host serving the
        // call, which the router chose for it by capacity (see CallRouter).
        var grain = Grain(sandbox);
        var endpoint = await GrainCallHints.WithAsync(host.Name, DateTime.MaxValue, () => grain.WakeAsync(createIfMissing: true));

        // The router sends only this host's sandboxes here; another's agent socket is on another machine.
        if (endpoint.Host.Length > 0 && !host.Is(endpoint.Host))
        {
            throw new SandboxException(SandboxError.Unavailable, $"sandbox '{sandbox.Name}' runs on host '{endpoint.Host}', and this call reached host '{host.Name}' without being forwarded there (a host joined or left meanwhile); retry");
        }

        return agents.Get(endpoint);
    }

    /// <summary>
    /// Runs a call that is safe to repeat. If the agent turns out to be gone (its container
    /// was stopped behind the grain's back), the grain is told and the call tried once more.
    /// </summary>
    public async Task<T> CallAsync<T>(SandboxKey sandbox, Func<AgentConnection, Task<T>> call)
    {
        var connection = await ConnectAsync(sandbox);
        using var open = activity.Track(sandbox);
        try
        {
            return await call(connection);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            await Grain(sandbox).ReportUnreachableAsync(connection.Endpoint.Generation);
            return await call(await ConnectAsync(sandbox));
        }
    }

    /// <summary>
    /// Runs a call that must not be repeated (it may have started something). If the agent
    /// is gone, the grain is told so that the next call recovers.
    /// </summary>
    public async Task<T> CallOnceAsync<T>(SandboxKey sandbox, Func<AgentConnection, Task<T>> call)
    {
        var connection = await ConnectAsync(sandbox);
        using var open = activity.Track(sandbox);
        try
        {
            return await call(connection);
        }
        catch (RpcException e)
        {
            if (e.StatusCode == StatusCode.Unavailable)
            {
                await Grain(sandbox).ReportUnreachableAsync(connection.Endpoint.Generation);
            }

            throw new RpcException(e.Status, e.Trailers);
        }
    }

    /// <summary>Relays a stream of messages from the agent to the caller as they come.</summary>
    public Task RelayAsync<T>(SandboxKey sandbox, Func<AgentConnection, AsyncServerStreamingCall<T>> open, IServerStreamWriter<T> caller, CancellationToken cancellationToken) =>
        CallOnceAsync(sandbox, async connection =>
        {
            using var call = open(connection);
            await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                await caller.WriteAsync(message, cancellationToken);
            }

            return true;
        });

    private ISandboxGrain Grain(SandboxKey sandbox) => grains.GetSandbox(sandbox);
}
