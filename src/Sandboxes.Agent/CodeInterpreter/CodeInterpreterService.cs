using System.Text;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>Code contexts and runCode, in unary and streaming form.</summary>
public sealed class CodeInterpreterService(CodeContextTable contexts) : Protocol.CodeInterpreter.CodeInterpreterBase
{
    public const int MaxCodeBytes = 4 * 1024 * 1024;

    // The unary reply keeps this much of each stream, and of results; RunCodeStream has no
    // such caps. Together they stay under the 64 MiB message limit of silo and SDK.
    public const int MaxUnaryOutputChars = 1024 * 1024;
    public const int MaxUnaryResultBytes = 32 * 1024 * 1024;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);

    public override async Task<CodeContextInfo> CreateContext(CreateCodeContextRequest request, ServerCallContext context)
    {
        var created = contexts.Create(request);
        try
        {
            // Answers once the interpreter has loaded, so the context's first call is warm.
            await created.Runner.Ready.WaitAsync(context.CancellationToken);
        }
        catch (IOException e)
        {
            contexts.Delete(created.Id);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the interpreter did not start: {e.Message}"));
        }

        return created.Describe();
    }

    public override Task<ListCodeContextsResponse> ListContexts(ListCodeContextsRequest request, ServerCallContext context)
    {
        var response = new ListCodeContextsResponse();
        response.Contexts.AddRange(contexts.All().Select(c => c.Describe()));
        return Task.FromResult(response);
    }

    public override Task<DeleteCodeContextResponse> DeleteContext(DeleteCodeContextRequest request, ServerCallContext context)
    {
        contexts.Delete(request.ContextId);
        return Task.FromResult(new DeleteCodeContextResponse());
    }

    public override async Task<Execution> RunCode(RunCodeRequest request, ServerCallContext context)
    {
        var execution = await StartAsync(request, context.CancellationToken);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var reply = new Execution { ContextId = execution.ContextId };
        var resultBytes = 0L;
        var droppedResults = 0;
        await foreach (var e in execution.Events.ReadAllAsync(context.CancellationToken))
        {
            switch (e.EventCase)
            {
                case ExecutionEvent.EventOneofCase.Stdout: Append(stdout, e.Stdout); break;
                case ExecutionEvent.EventOneofCase.Stderr: Append(stderr, e.Stderr); break;
                case ExecutionEvent.EventOneofCase.Result when (resultBytes += e.Result.CalculateSize()) <= MaxUnaryResultBytes:
                    reply.Results.Add(e.Result);
                    break;
                case ExecutionEvent.EventOneofCase.Result: droppedResults++; break;
                case ExecutionEvent.EventOneofCase.Error: reply.Error = e.Error; break;
            }
        }

        if (droppedResults > 0)
        {
            Append(stderr, $"\n[{droppedResults} results left out: results are cut at {MaxUnaryResultBytes / 1024 / 1024} MiB; RunCodeStream returns all of them]\n");
        }

        reply.Stdout = Capped(stdout, "stdout");
        reply.Stderr = Capped(stderr, "stderr");
        reply.ExecutionCount = execution.ExecutionCount;
        reply.Interrupted = execution.Interrupted;
        return reply;
    }

    public override async Task RunCodeStream(RunCodeRequest request, IServerStreamWriter<ExecutionEvent> responseStream, ServerCallContext context)
    {
        var execution = await StartAsync(request, context.CancellationToken);
        await foreach (var e in execution.Events.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(e, context.CancellationToken);
        }

        await responseStream.WriteAsync(
            new ExecutionEvent
            {
                Complete = new ExecutionComplete { ContextId = execution.ContextId, ExecutionCount = execution.ExecutionCount, Interrupted = execution.Interrupted },
            },
            context.CancellationToken);
    }

    private Task<CodeExecution> StartAsync(RunCodeRequest request, CancellationToken cancellationToken)
    {
        if (Encoding.UTF8.GetByteCount(request.Code) > MaxCodeBytes)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"code is over {MaxCodeBytes / 1024 / 1024} MiB; write it to a file and run that file instead"));
        }

        var timeout = DefaultTimeout;
        if (request.Timeout is not null)
        {
            timeout = request.Timeout.ToTimeSpan();
            if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"timeout must be more than 0 and at most {MaxTimeout.TotalHours:0} hours"));
            }
        }

        var target = request.ContextId.Length > 0
            ? contexts.Get(request.ContextId)
            : contexts.GetDefault(CodeLanguages.Resolve(request.Language));
        if (request.ContextId.Length > 0 && request.Language != CodeLanguage.Unspecified && request.Language != target.Runner.Language)
        {
            throw new RpcException(new Status(
                StatusCode.InvalidArgument,
                $"context '{target.Id}' runs {CodeLanguages.Name(target.Runner.Language)}, not {CodeLanguages.Name(request.Language)}; leave language unset when naming a context"));
        }

        return target.StartAsync(request.Code, timeout, cancellationToken);
    }

    private static void Append(StringBuilder output, string text)
    {
        var room = MaxUnaryOutputChars + 1 - output.Length;
        if (room > 0)
        {
            output.Append(text, 0, Math.Min(room, text.Length));
        }
    }

    private static string Capped(StringBuilder output, string name) =>
        output.Length <= MaxUnaryOutputChars
            ? output.ToString()
            : output.ToString(0, MaxUnaryOutputChars) + $"\n[{name} cut at {MaxUnaryOutputChars / 1024 / 1024} MiB; RunCodeStream returns all of it]\n";
}
