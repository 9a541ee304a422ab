using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Api;
using Sandboxes.Silo.Auth;

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

        await connector.CallOnceAsync(context.CallersSandbox(sandbox), async agent =>
        {
            await DuplexRelay.RunAsync(first, requestStream, responseStream, token => agent.Terminals.Connect(cancellationToken: token), context.CancellationToken);
            return true;
        });
    }

    public override Task<ListTerminalsResponse> List(ListTerminalsRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Terminals.ListAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);
}
