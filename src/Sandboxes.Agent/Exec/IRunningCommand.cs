using System.Threading.Channels;
using Sandboxes.Agent.Processes;

namespace Sandboxes.Agent.Exec;

/// <summary>
/// A command an exec call is running: a fresh process (<see cref="ExecSession"/>) or a
/// command in a persistent shell session. The Run and Stream calls treat both alike.
/// </summary>
public interface IRunningCommand : IAsyncDisposable
{
    /// <summary>The pid reported in the started event.</summary>
    int Pid { get; }

    /// <summary>stdout and stderr chunks in the order read; completes after EOF or the exit grace.</summary>
    ChannelReader<OutputChunk> Output { get; }

    /// <summary>Why the command was killed, or Completed when it was not.</summary>
    ExecEnding Ending { get; }

    /// <summary>Time from start to exit (valid once <see cref="WaitForExitAsync"/> returned).</summary>
    TimeSpan Duration { get; }

    /// <summary>Kills the command; the first reason wins.</summary>
    void Kill(ExecEnding reason);

    Task<ProcessExit> WaitForExitAsync();
}
