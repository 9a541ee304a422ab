namespace Sandboxes.Agent.Exec;

/// <summary>Why the agent killed a command's process group, if it did.</summary>
public enum ExecEnding
{
    /// <summary>The command ran to its own end.</summary>
    Completed,

    /// <summary>ExecRequest.timeout fired.</summary>
    TimedOut,

    /// <summary>The caller cancelled the call.</summary>
    Cancelled,

    /// <summary>A stdin message could not be read (too large, not parseable): the command never got all its input.</summary>
    InputFailed,
}
