using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Sandboxes.Agent.Exec;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// The waits on a started process. Each is bounded by its own timeout and by the call;
/// when the process ends first the caller gets FAILED_PRECONDITION with the exit code and
/// the last output, so it never waits for something that cannot happen any more.
/// </summary>
public static class ProcessWaits
{
    private const int TailBytes = 2048;
    private static readonly TimeSpan PortPollInterval = TimeSpan.FromMilliseconds(100);

    public static async Task<string> ForLogAsync(StartedProcess process, WaitForLogRequest request, CancellationToken callCancelled)
    {
        var accepts = LineTest(request);
        using var deadline = Deadline(request.Timeout, callCancelled);
        var lines = new LogLines(accepts);
        using var reader = ProcessLogReader.FromStart(process.Log);
        var chunks = new List<OutputChunk>();
        try
        {
            while (true)
            {
                var changed = process.Log.Changed;
                var closed = process.Log.IsClosed;
                chunks.Clear();
                reader.Read(chunks, OutputPipe.ChunkSize * 4);
                foreach (var chunk in chunks)
                {
                    if (lines.Feed(chunk) is { } line)
                    {
                        return line;
                    }
                }

                if (chunks.Count == 0 && closed)
                {
                    return lines.Finish() ?? throw EndedFirst(process, "a matching line appeared");
                }

                if (chunks.Count == 0)
                {
                    await changed.WaitAsync(deadline.Token);
                }
            }
        }
        catch (OperationCanceledException) when (!callCancelled.IsCancellationRequested)
        {
            throw TimedOut(request.Timeout, $"a line of process '{process.Id}' to match");
        }
    }

    public static async Task<ProcessInfo> ForPortAsync(StartedProcess process, WaitForPortRequest request, CancellationToken callCancelled)
    {
        if (request.Port is 0 or > 65535)
        {
            throw Invalid($"port {request.Port} is out of range; use 1 to 65535");
        }

        var path = request.Path.Length == 0 ? "/" : request.Path;
        if (path[0] != '/' || path.Any(c => c is ' ' or '\r' or '\n' or '\0'))
        {
            throw Invalid($"HTTP path '{path}' must start with '/' and contain no spaces or line breaks");
        }

        var expected = request.ExpectedStatus == 0 ? 200 : (int)request.ExpectedStatus;
        if (expected is < 100 or > 599)
        {
            throw Invalid($"expected status {expected} is not an HTTP status (100 to 599)");
        }

        using var deadline = Deadline(request.Timeout, callCancelled);
        try
        {
            while (!await PortProbe.IsReadyAsync((int)request.Port, request.Mode, path, expected, deadline.Token))
            {
                if (!process.IsRunning)
                {
                    throw EndedFirst(process, $"port {request.Port} was ready");
                }

                await Task.WhenAny(process.Ended, Task.Delay(PortPollInterval, deadline.Token));
                deadline.Token.ThrowIfCancellationRequested();
            }

            return process.Snapshot();
        }
        catch (OperationCanceledException) when (!callCancelled.IsCancellationRequested)
        {
            throw TimedOut(request.Timeout, $"port {request.Port} of process '{process.Id}' to be ready");
        }
    }

    public static async Task<ProcessInfo> ForExitAsync(StartedProcess process, WaitForExitRequest request, CancellationToken callCancelled)
    {
        using var deadline = Deadline(request.Timeout, callCancelled);
        try
        {
            await process.Ended.WaitAsync(deadline.Token);
            return process.Snapshot();
        }
        catch (OperationCanceledException) when (!callCancelled.IsCancellationRequested)
        {
            throw TimedOut(request.Timeout, $"process '{process.Id}' to exit");
        }
    }

    /// <summary>The last output of the process, stdout and stderr in the order written.</summary>
    public static string Tail(StartedProcess process)
    {
        using var reader = ProcessLogReader.FromStart(process.Log);
        var chunks = new List<OutputChunk>();
        var tail = new OutputCapture(limit: 0);
        while (reader.Read(chunks, OutputPipe.ChunkSize * 16) > 0 || chunks.Count > 0)
        {
            foreach (var chunk in chunks)
            {
                tail.Append(chunk.Data.Span);
            }

            chunks.Clear();
        }

        var bytes = tail.Tail();
        return Encoding.UTF8.GetString(bytes.AsSpan(Math.Max(0, bytes.Length - TailBytes)));
    }

    private static Func<string, bool> LineTest(WaitForLogRequest request)
    {
        if ((request.Text.Length > 0) == (request.Regex.Length > 0))
        {
            throw Invalid("set exactly one of text (a substring) and regex (a regular expression)");
        }

        if (request.Text.Length > 0)
        {
            var text = request.Text;
            return line => line.Contains(text, StringComparison.Ordinal);
        }

        try
        {
            var regex = new Regex(request.Regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            return regex.IsMatch;
        }
        catch (ArgumentException e)
        {
            throw Invalid($"regex '{request.Regex}' is not valid: {e.Message}");
        }
    }

    private static CancellationTokenSource Deadline(Google.Protobuf.WellKnownTypes.Duration? timeout, CancellationToken callCancelled)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(callCancelled);
        if (timeout is not null)
        {
            var after = timeout.ToTimeSpan();
            if (after <= TimeSpan.Zero)
            {
                source.Dispose();
                throw Invalid($"timeout {after} must be positive");
            }

            source.CancelAfter(after);
        }

        return source;
    }

    private static RpcException EndedFirst(StartedProcess process, string what)
    {
        var info = process.Snapshot();
        var how = info.Status == ProcessStatus.Killed ? "was killed" : "exited";
        return new RpcException(new Status(
            StatusCode.FailedPrecondition,
            $"process '{info.Id}' {how} with code {info.ExitCode} before {what}; last output:\n{Tail(process)}"));
    }

    private static RpcException TimedOut(Google.Protobuf.WellKnownTypes.Duration? timeout, string what) =>
        new(new Status(StatusCode.DeadlineExceeded, $"waited {timeout?.ToTimeSpan().TotalSeconds:0.###}s for {what}"));

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
