using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Exec;

/// <summary>Turns a session's output into the ExecEvents of a Stream call, with heartbeats.</summary>
internal static class ExecEventWriter
{
    private static readonly TimeSpan HeartbeatAfter = TimeSpan.FromSeconds(5);

    public static async Task WriteOutputAsync(IRunningCommand session, IServerStreamWriter<ExecEvent> responseStream, CancellationToken cancelled)
    {
        // The wait needs no call token: cancelling the call kills the group, which ends the
        // output within the exit grace.
        var output = session.Output;
        var quiet = new CancellationTokenSource();
        try
        {
            while (true)
            {
                while (output.TryRead(out var chunk))
                {
                    var data = UnsafeByteOperations.UnsafeWrap(chunk.Data);
                    await responseStream.WriteAsync(chunk.IsStderr ? new ExecEvent { Stderr = data } : new ExecEvent { Stdout = data }, cancelled);
                }

                quiet.CancelAfter(HeartbeatAfter);
                bool more;
                try
                {
                    more = await output.WaitToReadAsync(quiet.Token);
                }
                catch (OperationCanceledException)
                {
                    // Quiet for a while: tell the caller the command is still alive.
                    await responseStream.WriteAsync(new ExecEvent { Heartbeat = new Heartbeat { At = Timestamp.FromDateTime(DateTime.UtcNow) } }, cancelled);
                    quiet.Dispose();
                    quiet = new CancellationTokenSource();
                    continue;
                }

                if (!more)
                {
                    return;
                }

                if (!quiet.TryReset())
                {
                    quiet.Dispose();
                    quiet = new CancellationTokenSource();
                }
            }
        }
        finally
        {
            quiet.Dispose();
        }
    }
}
