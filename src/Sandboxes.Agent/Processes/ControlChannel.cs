namespace Sandboxes.Agent.Processes;

/// <summary>What a child gets as fd 3.</summary>
public enum ControlChannel
{
    None,

    /// <summary>A pipe the child writes and the agent reads.</summary>
    Pipe,

    /// <summary>One end of a Unix socket pair: both ways.</summary>
    Socket,
}
