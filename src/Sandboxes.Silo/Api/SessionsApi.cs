using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.Api;

/// <summary>Shell sessions, forwarded to the sandbox's agent; their commands go through <see cref="ExecApi"/>.</summary>
public sealed class SessionsApi(SandboxConnector connector) : Sessions.SessionsBase
{
    public override Task<SessionInfo> Create(CreateSessionRequest request, ServerCallContext context)
    {
        SandboxSpecs.RequireEnv(request.Env);
        return connector.CallOnceAsync(context.CallersSandbox(request.Sandbox), c => c.Sessions.CreateAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);
    }

    public override Task<DeleteSessionResponse> Delete(SessionRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Sessions.DeleteAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ListSessionsResponse> List(ListSessionsRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Sessions.ListAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);
}
