using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>A named interpreter whose state persists between executions, which it runs one at a time.</summary>
public sealed class CodeContext : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private long _lastExecutionId;
    private int _executionCount;

    // The last execution sent: its count is set before its caller hears the result, while
    // _executionCount follows only when the turn passes on (on another thread, a moment later).
    private CodeExecution? _latest;

    private volatile string? _killedBecause;

    public CodeContext(string id, RunnerProcess runner, string cwd, bool isDefault)
    {
        Id = id;
        Runner = runner;
        Cwd = cwd;
        IsDefault = isDefault;
    }

    public string Id { get; }

    public RunnerProcess Runner { get; }

    public string Cwd { get; }

    public bool IsDefault { get; }

    public DateTime CreatedAt { get; } = DateTime.UtcNow;

    public bool IsAlive => _killedBecause is null && !Runner.Closed.IsCompleted;

    /// <summary>Why the context ended: it was killed, or its interpreter's own end; null while it runs.</summary>
    public string? Ended => _killedBecause ?? Runner.Ended ?? (Runner.Closed.IsCompleted ? "the interpreter stopped" : null);

    public bool IsBusy => _turn.CurrentCount == 0;

    /// <summary>
    /// Waits for the context's turn (cancellable), then sends the code and returns the running
    /// execution. The turn passes on only when the interpreter is done with this code.
    /// </summary>
    public async Task<CodeExecution> StartAsync(string code, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            ThrowIfEnded();
            try
            {
                // A context claimed from a spare that is still loading waits for it here.
                await Runner.Ready.WaitAsync(cancellationToken);
            }
            catch (IOException e)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"code context '{Id}' could not start: {e.Message}"));
            }

            var execution = new CodeExecution(++_lastExecutionId, Id, Runner);
            execution.Watch(timeout, cancellationToken);
            _latest = execution;
            Runner.Begin(execution);
            Runner.Send(json =>
            {
                json.WriteStartObject();
                json.WriteString("op", "execute");
                json.WriteNumber("id", execution.Id);
                json.WriteString("code", code);
                json.WriteEndObject();
            });
            _ = execution.Finished.ContinueWith(
                _ =>
                {
                    if (execution.ExecutionCount > 0)
                    {
                        _executionCount = execution.ExecutionCount;
                    }

                    _turn.Release();
                },
                TaskScheduler.Default);
            return execution;
        }
        catch (IOException e)
        {
            // The interpreter died between the check and the send; its death reports the rest.
            _turn.Release();
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"code context '{Id}' cannot take code: {e.Message}"));
        }
        catch
        {
            _turn.Release();
            throw;
        }
    }

    /// <summary>Kills the interpreter; an execution in progress ends with ABORTED.</summary>
    public void Kill(string why)
    {
        _killedBecause ??= why;
        Runner.Kill();
    }

    public void Dispose() => Kill("deleted");

    public CodeContextInfo Describe() => new()
    {
        Id = Id,
        Language = Runner.Language,
        Cwd = Cwd,
        Pid = Runner.Pid,
        ExecutionCount = _latest is { ExecutionCount: > 0 } latest ? latest.ExecutionCount : _executionCount,
        Busy = IsBusy,
        IsDefault = IsDefault,
        CreatedAt = Timestamp.FromDateTime(CreatedAt),
        Ended = Ended ?? "",
    };

    private void ThrowIfEnded()
    {
        if (!IsAlive)
        {
            throw new RpcException(new Status(
                StatusCode.FailedPrecondition,
                $"code context '{Id}' has ended ({Ended}); delete it and create a new one"));
        }
    }
}
