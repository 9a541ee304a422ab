using System.Reflection;
using Grpc.Core;
using Sandboxes.Agent.Processes;
using Sandboxes.Protocol.Agent;

namespace Sandboxes.Agent.Probe;

/// <summary>The private Agent.Status probe: build, load, idleness, memory and running processes.</summary>
public sealed class AgentStatusService : Protocol.Agent.Agent.AgentBase
{
    private static readonly string Version =
        typeof(AgentStatusService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private readonly CallTracker _tracker;
    private readonly ProcessTable _processes;

    public AgentStatusService(CallTracker tracker, ProcessTable processes)
    {
        _tracker = tracker;
        _processes = processes;
    }

    public override Task<AgentStatus> Status(StatusRequest request, ServerCallContext context) =>
        Task.FromResult(new AgentStatus
        {
            Version = Version,
            CallsInFlight = _tracker.InFlight,
            IdleMilliseconds = _tracker.IdleMilliseconds,
            ResidentBytes = ResidentMemory.Bytes(),
            RunningProcesses = _processes.RunningCount,
        });
}
