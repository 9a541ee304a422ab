namespace Sandboxes;

/// <summary>
/// One sandbox, keyed by its name. It owns its container: it creates, starts, and (only
/// for idleness) stops it. Streaming data never passes through the grain; callers ask it
/// for the agent's endpoint and talk to the agent directly.
/// </summary>
public interface ISandboxGrain : IGrainWithStringKey
{
    /// <summary>Creates the sandbox with <paramref name="spec"/>, or returns the existing one unchanged.</summary>
    Task<SandboxView> CreateAsync(SandboxSpec spec, SleepPolicy sleepPolicy);

    /// <summary>Describes the sandbox without waking it, or null when it does not exist.</summary>
    Task<SandboxView?> DescribeAsync();

    /// <summary>
    /// Makes sure the container runs and its agent answers, counts the call as activity,
    /// and says where the agent listens. Creates the sandbox with defaults when asked to.
    /// </summary>
    Task<AgentEndpoint> WakeAsync(bool createIfMissing);

    /// <summary>
    /// The host that holds the sandbox, or that would hold it if it were created now (the one
    /// this grain was placed on). Wakes nothing. UNAVAILABLE when that host's silo is gone.
    /// </summary>
    Task<string> LocateAsync();

    /// <summary>
    /// A call the silo relays to the running sandbox is still open: counts as activity and keeps
    /// it awake for <paramref name="lease"/> (renewed while the call lasts). Never wakes a sleeping sandbox.
    /// </summary>
    Task KeepAwakeAsync(TimeSpan lease);

    /// <summary>Tells the grain its agent could not be reached at <paramref name="generation"/>.</summary>
    Task ReportUnreachableAsync(string generation);

    Task<SandboxView> SetSleepPolicyAsync(SleepPolicy sleepPolicy);

    /// <summary>Removes container, state and host folder. False when there was nothing.</summary>
    Task<bool> DestroyAsync();

    /// <summary>Activates the grain so it watches an already running container; not activity.</summary>
    Task ReattachAsync();

    /// <summary>Makes a port reachable through a preview URL; exposing it again keeps its token.</summary>
    Task<ExposedPort> ExposePortAsync(int port, string name);

    /// <summary>Closes a port's preview URL. False when it was not exposed.</summary>
    Task<bool> UnexposePortAsync(int port);

    Task<IReadOnlyList<ExposedPort>> GetExposedPortsAsync();

    /// <summary>
    /// Checks a preview request's port and token and, when they match, wakes the sandbox and
    /// says where its agent listens. Counts as activity.
    /// </summary>
    Task<PreviewTarget> ResolvePreviewAsync(int port, string token);
}
