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
        var input = ForwardAsync(caller, call.RequestStream, stop);
        RpcException? refused = null;
        try
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(stop.Token))
            {
                await callerResponses.WriteAsync(message, stop.Token);
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException && stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Only the input side cancels on its own: a caller's message was refused. That is
            // the call's outcome, not the cancellation it caused at the agent.
            refused = await input;
            if (refused is null)
            {
                throw;
            }
        }
        finally
        {
            // Never return while the input side still reads: Kestrel reuses the request's
            // stream for the next call once the handler ends.
            await stop.CancelAsync();
            await input.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        if (refused is not null)
        {
            throw refused;
        }
    }

    /// <summary>
    /// Forwards the caller's messages. A message grpc refuses (over the size limit, not
    /// parseable) ends the whole call with that status: the agent's side is cancelled, so a
    /// command never runs on part of its input as if it were all of it.
    /// </summary>
    private static async Task<RpcException?> ForwardAsync<TIn>(IAsyncStreamReader<TIn> from, IClientStreamWriter<TIn> to, CancellationTokenSource stop)
    {
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await from.MoveNext(stop.Token);
                }
                catch (RpcException e) when (!stop.IsCancellationRequested)
                {
                    await stop.CancelAsync();
                    return e;
                }

                if (!more)
                {
                    break;
                }

                await to.WriteAsync(from.Current, stop.Token);
            }

            await to.CompleteAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or InvalidOperationException or IOException)
        {
            // The call ended or the caller went away; the agent's side reports the outcome.
        }

        return null;
    }
}
