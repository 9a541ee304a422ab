using Grpc.Core;

namespace Sandboxes.Silo.Api;

/// <summary>
/// Relays a bidirectional call between a caller and the sandbox's agent: the caller's first
/// message (already read and checked) and the rest of its stream go to the agent, and the
/// agent's messages come back as they arrive.
/// </summary>
public static class DuplexRelay
{
    public static async Task RunAsync<TIn, TOut>(
        TIn first,
        IAsyncStreamReader<TIn> caller,
        IServerStreamWriter<TOut> callerResponses,
        Func<CancellationToken, AsyncDuplexStreamingCall<TIn, TOut>> open,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = open(stop.Token);
        await call.RequestStream.WriteAsync(first, stop.Token);
        var input = ForwardAsync(caller, call.RequestStream, stop.Token);
        try
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(stop.Token))
            {
                await callerResponses.WriteAsync(message, stop.Token);
            }
        }
        finally
        {
            // Never return while the input side still reads: Kestrel reuses the request's
            // stream for the next call once the handler ends.
            await stop.CancelAsync();
            await input.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task ForwardAsync<TIn>(IAsyncStreamReader<TIn> from, IClientStreamWriter<TIn> to, CancellationToken cancellationToken)
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
            // The call ended or the caller went away; the agent's side reports the outcome.
        }
    }
}
