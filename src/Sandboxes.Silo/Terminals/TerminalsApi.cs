using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Api;

namespace Sandboxes.Silo.Terminals;

/// <summary>Terminals for SDK clients: the viewer's stream relayed to the sandbox's agent and back.</summary>
public sealed class TerminalsApi(SandboxConnector connector) : Protocol.Terminals.TerminalsBase
{
    public override async Task Connect(IAsyncStreamReader<TerminalInput> requestStream, IServerStreamWriter<TerminalOutput> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken))
        {
            return;
        }

        var first = requestStream.Current;
        var sandbox = first.InputCase switch
        {
            TerminalInput.InputOneofCase.Open => first.Open.Sandbox,
            TerminalInput.InputOneofCase.Attach => first.Attach.Sandbox,
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of a terminal stream must be 'open' or 'attach'")),
        };

        await connector.CallOnceAsync(sandbox, async agent =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            using var call = agent.Terminals.Connect(cancellationToken: stop.Token);
            await call.RequestStream.WriteAsync(first, stop.Token);
            var input = ForwardInputAsync(requestStream, call.RequestStream, stop.Token);
            try
            {
                await foreach (var output in call.ResponseStream.ReadAllAsync(stop.Token))
                {
                    await responseStream.WriteAsync(output, stop.Token);
                }
            }
            finally
            {
                // Never return while the input side still reads: Kestrel reuses the request's
                // stream for the next call once this handler ends.
                await stop.CancelAsync();
                await input.ContinueWith(_ => { }, TaskScheduler.Default);
            }

            return true;
        });
    }

    public override Task<ListTerminalsResponse> List(ListTerminalsRequest request, ServerCallContext context) =>
        connector.CallAsync(request.Sandbox, c => c.Terminals.ListAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    private static async Task ForwardInputAsync(IAsyncStreamReader<TerminalInput> from, IClientStreamWriter<TerminalInput> to, CancellationToken cancellationToken)
    {
        try
        {
            while (await from.MoveNext(cancellationToken))
            {
                await to.WriteAsync(from.Current, cancellationToken);
            }

            await to.CompleteAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or InvalidOperationException or IOException)
        {
            // The viewer left or the terminal ended.
        }
    }
}
