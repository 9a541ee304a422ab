using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Sandboxes.Agent.Native;
using Sandboxes.Agent.Processes;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>
/// One interpreter process (python_runner.py or node_runner.js) and the thread that reads it.
/// The runner speaks JSON lines on a socket at its fd 3; its fds 1 and 2 carry whatever
/// bypassed the runner (child processes, C code). One thread polls all three, taking raw
/// output before messages, so a child's output written before "done" is never lost.
/// </summary>
public sealed class RunnerProcess
{
    private const int ChunkSize = 64 * 1024;

    private readonly SpawnedProcess _process;
    private readonly ILogger _logger;
    private readonly Lock _sendLock = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RunnerLines _lines = new();
    private readonly RunnerOutput _output;
    private readonly int _channel;
    private volatile CodeExecution? _execution;
    private volatile bool _killed;

    private RunnerProcess(SpawnedProcess process, CodeLanguage language, ILogger logger)
    {
        _process = process;
        _logger = logger;
        Language = language;
        _channel = (int)process.Control!.DangerousGetHandle();
        _output = new RunnerOutput((int)process.Stdout.DangerousGetHandle(), (int)process.Stderr.DangerousGetHandle());

        // Nothing is ever written to the runner's stdin: code that reads it gets end-of-file.
        process.Stdin.Dispose();
        var reader = new Thread(ReadLoop) { IsBackground = true, Name = $"runner {process.Pid}" };
        reader.Start();
    }

    public CodeLanguage Language { get; }

    public int Pid => _process.Pid;

    /// <summary>The interpreter's version once it has loaded; faults if it died first.</summary>
    public Task<string> Ready => _ready.Task;

    /// <summary>Completes when the runner's channel closed: it exited or is about to.</summary>
    public Task Closed => _closed.Task;

    public Task<ProcessExit> Exited => _process.Exited;

    /// <summary>Why the interpreter ended, once it has (null while it runs).</summary>
    public string? Ended { get; private set; }

    public static RunnerProcess Start(ProcessSpawner spawner, CodeLanguage language, string runnerDirectory, IReadOnlyList<string> environment, ILogger logger)
    {
        var (executable, argv) = CodeLanguages.Command(language, runnerDirectory);
        var process = spawner.Spawn(executable, argv, environment, "/", ControlChannel.Socket);
        return new RunnerProcess(process, language, logger);
    }

    /// <summary>Sends one JSON message. Small, so a blocking write is brief.</summary>
    public unsafe void Send(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        buffer.Write("\n"u8);
        lock (_sendLock)
        {
            fixed (byte* start = buffer.WrittenSpan)
            {
                var offset = 0;
                while (offset < buffer.WrittenCount)
                {
                    var written = LibC.Write(_channel, start + offset, buffer.WrittenCount - offset);
                    if (written < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == Errno.EINTR)
                        {
                            continue;
                        }

                        throw new IOException($"the {CodeLanguages.Name(Language)} interpreter's channel is closed: {Errno.Describe(errno)}");
                    }

                    offset += (int)written;
                }
            }
        }
    }

    /// <summary>Routes the runner's events to <paramref name="execution"/> until it is done.</summary>
    public void Begin(CodeExecution execution) => _execution = execution;

    /// <summary>SIGINT to the interpreter alone, as a notebook's interrupt button does.</summary>
    public void Interrupt()
    {
        // Once reaped, the pid may belong to another process of the sandbox.
        if (!_process.Exited.IsCompleted)
        {
            _ = LibC.Kill(_process.Pid, LibC.SigInt);
        }
    }

    /// <summary>SIGKILL to the runner's whole process group, children included.</summary>
    public void Kill()
    {
        _killed = true;
        if (!_process.Exited.IsCompleted)
        {
            _ = LibC.Kill(-_process.Pid, LibC.SigKill);
        }
    }

    private unsafe void ReadLoop()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var fds = stackalloc LibC.PollFd[3];
        fds[0] = new LibC.PollFd { Fd = _channel, Events = LibC.PollIn };
        fds[1] = new LibC.PollFd { Fd = _output.Stdout, Events = LibC.PollIn };
        fds[2] = new LibC.PollFd { Fd = _output.Stderr, Events = LibC.PollIn };
        const short ready = LibC.PollIn | LibC.PollHup | LibC.PollErr;
        var reason = "its channel closed";
        try
        {
            fixed (byte* data = buffer)
            {
                while (true)
                {
                    if (LibC.Poll(fds, 3, -1) < 0)
                    {
                        if (Marshal.GetLastPInvokeError() == Errno.EINTR)
                        {
                            continue;
                        }

                        reason = "polling its channel failed";
                        break;
                    }

                    for (var i = 1; i < 3; i++)
                    {
                        if ((fds[i].Revents & ready) != 0 && !_output.Read(fds[i].Fd, _execution))
                        {
                            fds[i].Fd = -1;
                        }
                    }

                    if ((fds[0].Revents & ready) != 0)
                    {
                        var read = LibC.Read(_channel, data, ChunkSize);
                        if (read <= 0)
                        {
                            if (read < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR)
                            {
                                continue;
                            }

                            break;
                        }

                        if (!_lines.Take(new ReadOnlySpan<byte>(data, (int)read), Handle))
                        {
                            reason = $"it sent a message over {RunnerLines.MaxLineBytes / 1024 / 1024} MiB";
                            Kill();
                            break;
                        }
                    }
                }
            }

            _output.Drain(_execution);
        }
        catch (Exception e)
        {
            CodeInterpreterLog.ReadFailed(_logger, e, _process.Pid);
            Kill();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _closed.TrySetResult();
        _ = ReportDeathAsync(reason);
    }

    private async Task ReportDeathAsync(string reason)
    {
        var language = CodeLanguages.Name(Language);
        string message;
        if (await Task.WhenAny(_process.Exited, Task.Delay(TimeSpan.FromSeconds(2))) == _process.Exited)
        {
            var exit = await _process.Exited;
            message = exit.Signal != 0
                ? $"the {language} interpreter was killed by signal {exit.Signal}{(_killed ? " on request" : KillHint(exit.Signal))}"
                : $"the {language} interpreter exited with code {exit.ExitCode}";
        }
        else
        {
            Kill();
            message = $"the {language} interpreter stopped answering ({reason}) and was killed";
        }

        var stray = _output.Unclaimed;
        if (!_ready.Task.IsCompleted && stray.Length > 0)
        {
            // It never became ready: what it printed is the reason (a missing module, say).
            message += $"; it printed: {stray}";
        }

        Ended = message;
        _ready.TrySetException(new IOException(message));
        _execution?.Fail(message);
        _execution = null;
        _process.Control!.Dispose();
        _process.Stdout.Dispose();
        _process.Stderr.Dispose();
    }

    /// <summary>What a SIGKILL nobody asked for usually is.</summary>
    private static string KillHint(int signal) =>
        signal == LibC.SigKill ? " (SIGKILL: most often the sandbox's memory limit)" : "";

    private void Handle(ReadOnlyMemory<byte> line)
    {
        RunnerMessage message;
        try
        {
            message = RunnerMessage.Parse(line);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            CodeInterpreterLog.UnreadableMessage(_logger, _process.Pid, e.Message);
            return;
        }

        var execution = _execution;
        switch (message.Kind)
        {
            case RunnerMessage.ReadyKind:
                _ready.TrySetResult(message.Version);
                break;
            case RunnerMessage.EventKind when execution is not null && execution.Id == message.Id:
                execution.Output(message.Event!);
                break;
            case RunnerMessage.DoneKind when execution is not null && execution.Id == message.Id:
                // A child's output that reached fd 1 before the runner said "done" is
                // already in the pipe: take it first.
                _output.Drain(execution);
                _execution = null;
                execution.Complete(message.ExecutionCount, message.Interrupted);
                break;
        }
    }
}
