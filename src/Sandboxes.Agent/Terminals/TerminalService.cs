using Grpc.Core;
using Google.Protobuf.WellKnownTypes;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Terminals;

/// <summary>Terminals over one bidirectional stream per viewer: keystrokes and resizes in, output out.</summary>
public sealed class TerminalService(TerminalTable terminals) : Protocol.Terminals.TerminalsBase
{
    private static readonly TimeSpan HeartbeatAfter = TimeSpan.FromSeconds(5);

    public override async Task Connect(IAsyncStreamReader<TerminalInput> requestStream, IServerStreamWriter<TerminalOutput> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            return;
        }

        var first = requestStream.Current;
        var terminal = first.InputCase switch
        {
            TerminalInput.InputOneofCase.Open => terminals.Open(first.Open),
            TerminalInput.InputOneofCase.Attach => terminals.Get(first.Attach.Id),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of a terminal stream must be 'open' or 'attach'")),
        };

        var viewer = terminal.Attach();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var input = ForwardInputAsync(requestStream, terminal, stop.Token);
        try
        {
            await responseStream.WriteAsync(new TerminalOutput { Started = new TerminalStarted { Id = terminal.Id, Pid = terminal.Pid } }, cancellationToken);
            while (true)
            {
                var waiting = viewer.WaitToReadAsync(cancellationToken).AsTask();
                if (await Task.WhenAny(waiting, Task.Delay(HeartbeatAfter, cancellationToken)) != waiting)
                {
                    await responseStream.WriteAsync(new TerminalOutput { Heartbeat = new Heartbeat { At = Timestamp.FromDateTime(DateTime.UtcNow) } }, cancellationToken);
                    await waiting;
                }

                if (!await waiting)
                {
                    return;
                }

                while (viewer.TryRead(out var output))
                {
                    await responseStream.WriteAsync(output, cancellationToken);
                    if (output.OutputCase == TerminalOutput.OutputOneofCase.Exit)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            terminal.Detach(viewer);
            await stop.CancelAsync();
            await input.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public override Task<ListTerminalsResponse> List(ListTerminalsRequest request, ServerCallContext context)
    {
        var response = new ListTerminalsResponse();
        response.Terminals.AddRange(terminals.All.Select(t => t.Describe()));
        return Task.FromResult(response);
    }

    private static async Task ForwardInputAsync(IAsyncStreamReader<TerminalInput> requestStream, Terminal terminal, CancellationToken cancellationToken)
    {
        try
        {
            while (await requestStream.MoveNext(cancellationToken))
            {
                var input = requestStream.Current;
                if (input.InputCase == TerminalInput.InputOneofCase.Data)
                {
                    await terminal.WriteAsync(input.Data.Memory, cancellationToken);
                }
                else if (input.InputCase == TerminalInput.InputOneofCase.Resize)
                {
                    terminal.Resize(input.Resize.Cols, input.Resize.Rows);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException or RpcException or InvalidOperationException)
        {
            // The viewer left or the terminal ended; output says the rest.
        }
    }
}
