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

    /// <summary>Copies stdin messages until close_stdin, the end of the request stream, or <paramref name="stop"/>.</summary>
    public static async Task PumpAsync(IAsyncStreamReader<ExecInput> requestStream, ExecSession session, CancellationToken stop)
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
        }
        catch (Exception)
        {
            // The call ended or broke; either way the command gets EOF below.
        }
        finally
        {
            session.CloseStdin();
        }
    }
}
