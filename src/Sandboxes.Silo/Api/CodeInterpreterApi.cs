using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.Api;

/// <summary>
/// Code contexts, forwarded to the sandbox's agent, which owns the interpreters. Nothing is
/// repeated on UNAVAILABLE: code may have run, and a context may have been made.
/// </summary>
public sealed class CodeInterpreterApi(SandboxConnector connector) : CodeInterpreter.CodeInterpreterBase
{
    public override Task<CodeContextInfo> CreateContext(CreateCodeContextRequest request, ServerCallContext context)
    {
        SandboxSpecs.RequireEnv(request.Env);
        return connector.CallOnceAsync(context.CallersSandbox(request.Sandbox), c => c.CodeInterpreter.CreateContextAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);
    }

    public override Task<ListCodeContextsResponse> ListContexts(ListCodeContextsRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.CodeInterpreter.ListContextsAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<DeleteCodeContextResponse> DeleteContext(DeleteCodeContextRequest request, ServerCallContext context) =>
        connector.CallOnceAsync(context.CallersSandbox(request.Sandbox), c => c.CodeInterpreter.DeleteContextAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<Execution> RunCode(RunCodeRequest request, ServerCallContext context) =>
        connector.CallOnceAsync(context.CallersSandbox(request.Sandbox), c => c.CodeInterpreter.RunCodeAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task RunCodeStream(RunCodeRequest request, IServerStreamWriter<ExecutionEvent> responseStream, ServerCallContext context) =>
        connector.RelayAsync(context.CallersSandbox(request.Sandbox), c => c.CodeInterpreter.RunCodeStream(request, cancellationToken: context.CancellationToken), responseStream, context.CancellationToken);
}
