using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Agent.Exec;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Processes;

/// <summary>The Processes service of sandboxes.proto, served inside the sandbox.</summary>
public sealed class ProcessService(ProcessTable table) : Protocol.Processes.ProcessesBase
{
    private static readonly TimeSpan HeartbeatAfter = TimeSpan.FromSeconds(5);
    private const int ReadBatch = 1024 * 1024;

    public override Task<ProcessInfo> Start(StartProcessRequest request, ServerCallContext context) =>
        Task.FromResult(table.Start(request).Snapshot());

    public override Task<ListProcessesResponse> List(ListProcessesRequest request, ServerCallContext context) =>
        Task.FromResult(new ListProcessesResponse { Processes = { table.All().Select(p => p.Snapshot()) } });

    public override Task<ProcessInfo> Get(ProcessRequest request, ServerCallContext context) =>
        Task.FromResult(table.Get(request.Id).Snapshot());

    public override Task<ProcessInfo> Kill(KillProcessRequest request, ServerCallContext context)
    {
        var signal = SignalNames.Parse(request.Signal);
        return table.Get(request.Id).KillAsync(signal);
    }

    public override async Task<ListProcessesResponse> KillAll(KillAllProcessesRequest request, ServerCallContext context)
    {
        var killed = await Task.WhenAll(table.All().Where(p => p.IsRunning).Select(p => p.KillAsync(SignalNames.Term)));
        return new ListProcessesResponse { Processes = { killed } };
    }

    public override Task<ProcessLogs> GetLogs(ProcessRequest request, ServerCallContext context)
    {
        var process = table.Get(request.Id);
        using var reader = ProcessLogReader.FromStart(process.Log);
        var chunks = new List<OutputChunk>();
        while (reader.Read(chunks, int.MaxValue) > 0)
        {
        }

        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        foreach (var chunk in chunks)
        {
            (chunk.IsStderr ? stderr : stdout).Write(chunk.Data.Span);
        }

        return Task.FromResult(new ProcessLogs
        {
            Stdout = UnsafeByteOperations.UnsafeWrap(stdout.GetBuffer().AsMemory(0, (int)stdout.Length)),
            Stderr = UnsafeByteOperations.UnsafeWrap(stderr.GetBuffer().AsMemory(0, (int)stderr.Length)),
            Truncated = reader.Truncated,
        });
    }

    public override async Task StreamLogs(StreamLogsRequest request, IServerStreamWriter<LogEvent> responseStream, ServerCallContext context)
    {
        var process = table.Get(request.Id);
        var cancelled = context.CancellationToken;
        using var reader = request.FromStart ? ProcessLogReader.FromStart(process.Log) : ProcessLogReader.FromEnd(process.Log);
        var chunks = new List<OutputChunk>();
        if (reader.TakeSkipped() is > 0 and var dropped)
        {
            await responseStream.WriteAsync(new LogEvent { Gap = new LogGap { DroppedSegments = dropped } }, cancelled);
        }

        while (true)
        {
            // Taken before reading, so a write between the read and the wait is not missed.
            var changed = process.Log.Changed;
            var closed = process.Log.IsClosed;
            chunks.Clear();
            reader.Read(chunks, ReadBatch);
            foreach (var chunk in chunks)
            {
                var data = UnsafeByteOperations.UnsafeWrap(chunk.Data);
                await responseStream.WriteAsync(chunk.IsStderr ? new LogEvent { Stderr = data } : new LogEvent { Stdout = data }, cancelled);
            }

            if (reader.TakeSkipped() is > 0 and var skipped)
            {
                await responseStream.WriteAsync(new LogEvent { Gap = new LogGap { DroppedSegments = skipped } }, cancelled);
                continue;
            }

            if (chunks.Count > 0)
            {
                continue;
            }

            if (closed)
            {
                await process.Ended.WaitAsync(cancelled);
                await responseStream.WriteAsync(new LogEvent { Exit = process.Snapshot() }, cancelled);
                return;
            }

            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancelled);
            quiet.CancelAfter(HeartbeatAfter);
            try
            {
                await changed.WaitAsync(quiet.Token);
            }
            catch (OperationCanceledException) when (!cancelled.IsCancellationRequested)
            {
                // Quiet for a while: tell the caller the stream is still alive.
                await responseStream.WriteAsync(new LogEvent { Heartbeat = new Heartbeat { At = Timestamp.FromDateTime(DateTime.UtcNow) } }, cancelled);
            }
        }
    }

    public override async Task<WaitForLogResponse> WaitForLog(WaitForLogRequest request, ServerCallContext context) =>
        new() { Line = await ProcessWaits.ForLogAsync(table.Get(request.Id), request, context.CancellationToken) };

    public override Task<ProcessInfo> WaitForPort(WaitForPortRequest request, ServerCallContext context) =>
        ProcessWaits.ForPortAsync(table.Get(request.Id), request, context.CancellationToken);

    public override Task<ProcessInfo> WaitForExit(WaitForExitRequest request, ServerCallContext context) =>
        ProcessWaits.ForExitAsync(table.Get(request.Id), request, context.CancellationToken);
}
