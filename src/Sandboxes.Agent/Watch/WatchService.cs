using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Agent.Files;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Watch;

/// <summary>
/// The Watches service of sandboxes.proto. One task reads inotify into a
/// <see cref="ChangeBatch"/>; the call sends whatever is pending whenever the stream can
/// take more, so a burst that arrives while a send is in flight is coalesced, not queued.
/// </summary>
public sealed class WatchService : Protocol.Watches.WatchesBase
{
    private static readonly TimeSpan HeartbeatAfter = TimeSpan.FromSeconds(5);

    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context)
    {
        var root = SandboxPath.Resolve(request.Path);
        if (!Path.Exists(root))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"'{root}' does not exist"));
        }

        var filter = new WatchFilter(request.Include, request.Exclude);
        var changes = new ChangeBatch();
        using var watch = new DirectoryWatch(root, !request.Flat, filter, changes);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var reading = watch.RunAsync(stop.Token);
        try
        {
            await responseStream.WriteAsync(new WatchEvent { Ready = new WatchReady { Directories = watch.Count } }, stop.Token);
            while (true)
            {
                var ready = changes.Ready;
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                quiet.CancelAfter(HeartbeatAfter);
                try
                {
                    await Task.WhenAny(ready, reading).WaitAsync(quiet.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    await responseStream.WriteAsync(new WatchEvent { Heartbeat = new Heartbeat { At = Timestamp.FromDateTime(DateTime.UtcNow) } }, stop.Token);
                    continue;
                }

                if (reading.IsCompleted)
                {
                    // The reader failed (a watch limit, say): its exception is the call's status.
                    await reading;
                }

                foreach (var change in changes.Take())
                {
                    await responseStream.WriteAsync(new WatchEvent { Change = change }, stop.Token);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await reading.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
