using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Silo.Api;

/// <summary>Runs commands by forwarding to the sandbox's agent, which owns the processes.</summary>
public sealed class ExecApi(SandboxConnector connector) : Exec.ExecBase
{
    public override async Task<ExecResult> Run(ExecRequest request, ServerCallContext context)
    {
        SandboxSpecs.RequireEnv(request.Env);
        var connection = await connector.ConnectAsync(request.Sandbox);
        try
        {
            return await connection.Exec.RunAsync(request, cancellationToken: context.CancellationToken);
        }
        catch (RpcException e)
        {
            await connector.ReportIfUnreachableAsync(request.Sandbox, connection, e);
            throw new RpcException(e.Status, e.Trailers);
        }
    }

    public override async Task Stream(IAsyncStreamReader<ExecInput> requestStream, IServerStreamWriter<ExecEvent> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.InputCase != ExecInput.InputOneofCase.Start)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of an exec stream must be 'start' with the command"));
        }

        var start = requestStream.Current;
        SandboxSpecs.RequireEnv(start.Start.Env);
        var connection = await connector.ConnectAsync(start.Start.Sandbox);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        using var call = connection.Exec.Stream(cancellationToken: cancel.Token);
        try
        {
            await call.RequestStream.WriteAsync(start, cancel.Token);
            var forwardInput = ForwardInputAsync(requestStream, call.RequestStream, cancel.Token);
            await foreach (var e in call.ResponseStream.ReadAllAsync(cancel.Token))
            {
                await responseStream.WriteAsync(e, cancel.Token);
            }

            await cancel.CancelAsync();
            await forwardInput.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        catch (RpcException e)
        {
            await connector.ReportIfUnreachableAsync(start.Start.Sandbox, connection, e);
            throw new RpcException(e.Status, e.Trailers);
        }
    }

    private static async Task ForwardInputAsync(IAsyncStreamReader<ExecInput> from, IClientStreamWriter<ExecInput> to, CancellationToken cancellationToken)
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
            // The command ended or the caller went away; the output side reports the outcome.
        }
    }
}
