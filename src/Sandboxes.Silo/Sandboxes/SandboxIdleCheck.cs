using Grpc.Core;
using Sandboxes.Protocol.Agent;
using Sandboxes.Silo.Agents;

namespace Sandboxes.Silo.Sandboxes;

/// <summary>
/// Decides whether a running sandbox has been idle long enough to sleep. Idleness is the
/// silo's to judge: the record's LastActive moves only with calls the silo relays (see
/// <see cref="SandboxActivity"/>), never with what the agent, which is the sandbox's own code,
/// reports. The agent is asked one thing, whether processes started through the API still run,
/// and that keeps a sandbox awake only up to <c>maxAwakeWithoutCalls</c>.
/// </summary>
public sealed class SandboxIdleCheck(AgentChannels agents, TimeProvider time)
{
    public async Task<IdleVerdict> EvaluateAsync(AgentEndpoint? endpoint, SandboxRecord record, bool callsOpen, TimeSpan maxAwakeWithoutCalls, CancellationToken cancellationToken)
    {
        if (endpoint is null || record.SleepPolicy.KeepAlive || callsOpen)
        {
            return IdleVerdict.StayAwake;
        }

        var idle = time.GetUtcNow() - record.LastActive;
        if (idle < record.SleepPolicy.SleepAfter)
        {
            return IdleVerdict.StayAwake;
        }

        if (idle >= maxAwakeWithoutCalls)
        {
            return IdleVerdict.Sleep;
        }

        AgentStatus status;
        try
        {
            status = await agents.Get(endpoint).Agent.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
        {
            return IdleVerdict.AgentGone;
        }

        // Processes started with Processes.Start keep the sandbox awake while they run (up to
        // the ceiling above); children left behind by exec do not.
        return status.RunningProcesses > 0 ? IdleVerdict.StayAwake : IdleVerdict.Sleep;
    }
}
