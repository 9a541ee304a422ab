using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Silo.Api;

/// <summary>Runs commands by forwarding to the sandbox's agent, which owns the processes.</summary>
public sealed class ExecApi(SandboxConnector connector) : Exec.ExecBase
{
    public override async Task<ExecResult> Run(ExecRequest request, ServerCallContext context)
    {
        SandboxSpecs.RequireEnv(request.Env);
        return await connector.CallOnceAsync(request.Sandbox, c => c.Exec.RunAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);
    }

    public override async Task Stream(IAsyncStreamReader<ExecInput> requestStream, IServerStreamWriter<ExecEvent> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.InputCase != ExecInput.InputOneofCase.Start)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of an exec stream must be 'start' with the command"));
        }

        var start = requestStream.Current;
        SandboxSpecs.RequireEnv(start.Start.Env);
        await connector.CallOnceAsync(start.Start.Sandbox, async connection =>
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            using var call = connection.Exec.Stream(cancellationToken: cancel.Token);
            await call.RequestStream.WriteAsync(start, cancel.Token);
            var forwardInput = ForwardInputAsync(requestStream, call.RequestStream, cancel.Token);
            try
            {
                await foreach (var e in call.ResponseStream.ReadAllAsync(cancel.Token))
                {
                    await responseStream.WriteAsync(e, cancel.Token);
                }
            }
            finally
            {
                // Never return while the input side still reads: Kestrel reuses the request's
                // stream for the next call once this handler ends.
                await cancel.CancelAsync();
                await forwardInput.ContinueWith(_ => { }, TaskScheduler.Default);
            }

            return true;
        });
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
