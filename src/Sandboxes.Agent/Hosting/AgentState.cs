using Microsoft.Extensions.Configuration;

namespace Sandboxes.Agent.Hosting;

/// <summary>
/// Where the agent keeps what must outlive it: process records and logs, and session
/// FIFOs. It lives in the container's own file system (not the host folder), so it stays
/// with the sandbox's disk through sleep, and a silo never reads it directly.
/// </summary>
public sealed class AgentState
{
    public const string DefaultRoot = "/var/lib/sandboxd";

    public AgentState(IConfiguration configuration)
    {
        var root = configuration["state"];
        Root = string.IsNullOrWhiteSpace(root) ? DefaultRoot : Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>One folder per started process: its record and its log segments.</summary>
    public string Processes => Path.Combine(Root, "processes");

    /// <summary>One folder per session, for the FIFOs of the command in progress.</summary>
    public string Sessions => Path.Combine(Root, "sessions");
}
