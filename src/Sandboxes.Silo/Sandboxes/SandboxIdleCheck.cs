using Grpc.Core;
using Sandboxes.Protocol.Agent;
using Sandboxes.Silo.Agents;

namespace Sandboxes.Silo.Sandboxes;

/// <summary>
/// Decides whether a running sandbox has been idle long enough to sleep. The grain only
/// sees the calls that woke it; the agent also knows about calls still streaming, so it
/// is asked before the container is stopped.
/// </summary>
public sealed class SandboxIdleCheck(AgentChannels agents, TimeProvider time)
{
    public async Task<IdleVerdict> EvaluateAsync(AgentEndpoint? endpoint, SandboxRecord record, CancellationToken cancellationToken)
    {
        if (endpoint is null || record.SleepPolicy.KeepAlive)
        {
            return IdleVerdict.StayAwake;
        }

        var now = time.GetUtcNow();
        if (now - record.LastActive < record.SleepPolicy.SleepAfter)
        {
            return IdleVerdict.StayAwake;
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

        // Processes started with Processes.Start keep the sandbox awake while they run;
        // children left behind by exec do not.
        if (status.CallsInFlight > 0 || status.RunningProcesses > 0)
        {
            record.LastActive = now;
            return IdleVerdict.StayAwake;
        }

        var agentIdle = TimeSpan.FromMilliseconds(status.IdleMilliseconds);
        if (agentIdle < record.SleepPolicy.SleepAfter)
        {
            var agentLastActive = now - agentIdle;
            if (agentLastActive > record.LastActive)
            {
                record.LastActive = agentLastActive;
            }

            return IdleVerdict.StayAwake;
        }

        return IdleVerdict.Sleep;
    }
}
