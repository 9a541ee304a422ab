using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Exec;

/// <summary>Feeds a command's stdin, from a Run request or from a Stream call's messages.</summary>
internal static class ExecStdin
{
    /// <summary>Writes the Run request's stdin bytes, then closes stdin.</summary>
    public static async Task FeedAsync(ExecSession session, ReadOnlyMemory<byte> stdin)
    {
        if (stdin.Length > 0)
        {
            await session.WriteStdinAsync(stdin, CancellationToken.None);
        }

        session.CloseStdin();
    }

    /// <summary>
    /// Copies stdin messages until close_stdin, the end of the request stream, or <paramref name="stop"/>.
    /// Returns why the input broke when a message could not be read; the command is then
    /// killed, since it must never run on part of its input as if that were all of it.
    /// </summary>
    public static async Task<RpcException?> PumpAsync(IAsyncStreamReader<ExecInput> requestStream, ExecSession session, CancellationToken stop)
    {
        try
        {
            while (await requestStream.MoveNext(stop))
            {
                var input = requestStream.Current;
                if (input.InputCase == ExecInput.InputOneofCase.Stdin && !await session.WriteStdinAsync(input.Stdin.Memory, stop))
                {
                    break;
                }

                if (input.InputCase == ExecInput.InputOneofCase.CloseStdin && input.CloseStdin)
                {
                    break;
                }
            }

            return null;
        }
        catch (RpcException e) when (!stop.IsCancellationRequested)
        {
            // grpc refused a message (over the size limit, cut short): before, this read as EOF
            // and the command ended "OK" on the input it had.
            session.Kill(ExecEnding.InputFailed);
            return new RpcException(new Status(e.StatusCode, $"a stdin message could not be read ({e.Status.Detail}); the command was killed rather than run on part of its input"));
        }
        catch (Exception)
        {
            // The call ended or the caller went away; its cancellation kills the command.
            return null;
        }
        finally
        {
            session.CloseStdin();
        }
    }
}
