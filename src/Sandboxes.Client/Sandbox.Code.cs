using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>The code interpreter: contexts whose variables persist from one run to the next.</summary>
public sealed partial class Sandbox
{
    /// <summary>Starts a context, warm when the sandbox prestarted an interpreter for the language.</summary>
    public Task<CodeContextInfo> CreateCodeContextAsync(CodeContextOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CodeContextOptions();
        var request = new CreateCodeContextRequest { Sandbox = Name, Language = options.Language, Cwd = options.Cwd ?? "" };
        foreach (var (key, value) in options.Env ?? new Dictionary<string, string>())
        {
            request.Env[key] = value;
        }

        return _client.CodeInterpreter.CreateContextAsync(request, cancellationToken: cancellationToken).ResponseAsync;
    }

    public async Task<IReadOnlyList<CodeContextInfo>> ListCodeContextsAsync(CancellationToken cancellationToken = default) =>
        (await _client.CodeInterpreter.ListContextsAsync(new ListCodeContextsRequest { Sandbox = Name }, cancellationToken: cancellationToken)).Contexts;

    /// <summary>Kills the context's interpreter, even one that ignores interrupts; false if there was no such context.</summary>
    public async Task<bool> DeleteCodeContextAsync(string contextId, CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.CodeInterpreter.DeleteContextAsync(new DeleteCodeContextRequest { Sandbox = Name, ContextId = contextId }, cancellationToken: cancellationToken);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs code and returns its output, results (every format each value offers) and error.
    /// A timeout interrupts it and sets <see cref="Execution.Interrupted"/>; the context keeps
    /// its state. Cancelling the token interrupts it too.
    /// </summary>
    public Task<Execution> RunCodeAsync(string code, RunCodeOptions? options = null, CancellationToken cancellationToken = default) =>
        _client.CodeInterpreter.RunCodeAsync(RunCodeRequest(code, options), cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>The same, streaming stdout, stderr, results and the error as they happen, ending with <c>Complete</c>.</summary>
    public async IAsyncEnumerable<ExecutionEvent> RunCodeStreamAsync(string code, RunCodeOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = _client.CodeInterpreter.RunCodeStream(RunCodeRequest(code, options), cancellationToken: cancellationToken);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            yield return e;
        }
    }

    private RunCodeRequest RunCodeRequest(string code, RunCodeOptions? options)
    {
        var request = new RunCodeRequest { Sandbox = Name, Code = code, ContextId = options?.ContextId ?? "", Language = options?.Language ?? CodeLanguage.Unspecified };
        if (options?.Timeout is { } timeout)
        {
            request.Timeout = Duration.FromTimeSpan(timeout);
        }

        return request;
    }
}
