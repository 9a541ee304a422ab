using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.Api;

/// <summary>Runs commands by forwarding to the sandbox's agent, which owns the processes.</summary>
public sealed class ExecApi(SandboxConnector connector) : Exec.ExecBase
{
    public override async Task<ExecResult> Run(ExecRequest request, ServerCallContext context)
    {
        SandboxSpecs.RequireEnv(request.Env);
        return await connector.CallOnceAsync(context.CallersSandbox(request.Sandbox), c => c.Exec.RunAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);
    }

    public override async Task Stream(IAsyncStreamReader<ExecInput> requestStream, IServerStreamWriter<ExecEvent> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.InputCase != ExecInput.InputOneofCase.Start)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of an exec stream must be 'start' with the command"));
        }

        var start = requestStream.Current;
        SandboxSpecs.RequireEnv(start.Start.Env);
        await connector.CallOnceAsync(context.CallersSandbox(start.Start.Sandbox), async connection =>
        {
            await DuplexRelay.RunAsync(start, requestStream, responseStream, token => connection.Exec.Stream(cancellationToken: token), context.CancellationToken);
            return true;
        });
    }
}
