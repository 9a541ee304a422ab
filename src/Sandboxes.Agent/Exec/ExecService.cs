using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Sandboxes.Agent.Processes;
using Sandboxes.Agent.Sessions;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Exec;

/// <summary>The Exec service of sandboxes.proto, served inside the sandbox.</summary>
public sealed class ExecService : Protocol.Exec.ExecBase
{
    private readonly ProcessSpawner _spawner;
    private readonly ExecEnvironment _environment;
    private readonly SessionTable _sessions;
    private readonly ILogger<ExecService> _logger;

    public ExecService(ProcessSpawner spawner, ExecEnvironment environment, SessionTable sessions, ILogger<ExecService> logger)
    {
        _spawner = spawner;
        _environment = environment;
        _sessions = sessions;
        _logger = logger;
    }

    public override async Task<ExecResult> Run(ExecRequest request, ServerCallContext context)
    {
        await using var session = await StartAsync(request, context.CancellationToken);
        if (session is ExecSession process)
        {
            _ = ExecStdin.FeedAsync(process, request.Stdin.Memory);
        }

        var stdout = new OutputCapture();
        var stderr = new OutputCapture();
        await foreach (var chunk in session.Output.ReadAllAsync())
        {
            (chunk.IsStderr ? stderr : stdout).Append(chunk.Data.Span);
        }

        var exit = await WaitForExitAsync(session);
        if (session.Ending != ExecEnding.Completed)
        {
            throw Ended(session, new Metadata
            {
                { "sandboxes-stdout-bin", stdout.Tail() },
                { "sandboxes-stderr-bin", stderr.Tail() },
            });
        }

        return new ExecResult
        {
            ExitCode = exit.ExitCode,
            Signal = exit.Signal,
            Stdout = stdout.Kept(),
            Stderr = stderr.Kept(),
            StdoutTruncated = stdout.Truncated,
            StderrTruncated = stderr.Truncated,
            Duration = Duration.FromTimeSpan(session.Duration),
        };
    }

    public override async Task Stream(IAsyncStreamReader<ExecInput> requestStream, IServerStreamWriter<ExecEvent> responseStream, ServerCallContext context)
    {
        var cancelled = context.CancellationToken;
        if (!await requestStream.MoveNext(cancelled) || requestStream.Current.InputCase != ExecInput.InputOneofCase.Start)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first ExecInput message must be 'start'"));
        }

        await using var session = await StartAsync(requestStream.Current.Start, cancelled);
        using var stopStdin = CancellationTokenSource.CreateLinkedTokenSource(cancelled);

        // A session command reads /dev/null; its stdin messages are not read at all.
        var stdin = session is ExecSession process ? ExecStdin.PumpAsync(requestStream, process, stopStdin.Token) : Task.FromResult<RpcException?>(null);
        try
        {
            await responseStream.WriteAsync(new ExecEvent { Started = new ExecStarted { Pid = session.Pid } }, cancelled);
            await ExecEventWriter.WriteOutputAsync(session, responseStream, cancelled);
            var exit = await WaitForExitAsync(session);
            if (session.Ending == ExecEnding.InputFailed && await stdin is { } inputFailure)
            {
                throw inputFailure;
            }

            if (session.Ending != ExecEnding.Completed)
            {
                throw Ended(session, []);
            }

            await responseStream.WriteAsync(
                new ExecEvent { Exit = new ExitStatus { ExitCode = exit.ExitCode, Signal = exit.Signal, Duration = Duration.FromTimeSpan(session.Duration) } },
                cancelled);
        }
        catch (Exception e) when (e is not RpcException && cancelled.IsCancellationRequested)
        {
            session.Kill(ExecEnding.Cancelled);
            await session.WaitForExitAsync();
            throw Ended(session, []);
        }
        finally
        {
            await stopStdin.CancelAsync();
            await stdin;
        }
    }

    private async Task<IRunningCommand> StartAsync(ExecRequest request, CancellationToken cancelled)
    {
        if (request.Session.Length > 0)
        {
            var call = SessionCall.Parse(request);
            return await _sessions.Get(request.Session).RunAsync(call, cancelled);
        }

        var command = ExecCommand.Parse(request, _environment);
        try
        {
            var session = ExecSession.Start(command, _spawner, cancelled);
            ExecLog.Started(_logger, command.Argv[0], session.Pid);
            return session;
        }
        catch (RpcException e)
        {
            ExecLog.StartFailed(_logger, command.Argv[0], e.Status.Detail);
            throw;
        }
    }

    private async Task<ProcessExit> WaitForExitAsync(IRunningCommand session)
    {
        var exit = await session.WaitForExitAsync();
        ExecLog.Exited(_logger, session.Pid, exit.ExitCode, exit.Signal, session.Duration);
        if (session.Ending != ExecEnding.Completed)
        {
            ExecLog.Killed(_logger, session.Pid, session.Ending);
        }

        return exit;
    }

    private static RpcException Ended(IRunningCommand session, Metadata trailers) => session.Ending == ExecEnding.TimedOut
        ? new RpcException(new Status(StatusCode.DeadlineExceeded, "the command timed out; its process group was killed"), trailers)
        : new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled; the command's process group was killed"), trailers);
}
