using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Sessions;

/// <summary>The Sessions service of sandboxes.proto; commands run through Exec with ExecRequest.session.</summary>
public sealed class SessionService(SessionTable sessions) : Protocol.Sessions.SessionsBase
{
    public override Task<SessionInfo> Create(CreateSessionRequest request, ServerCallContext context) =>
        Task.FromResult(Info(sessions.Create(request)));

    public override Task<DeleteSessionResponse> Delete(SessionRequest request, ServerCallContext context)
    {
        sessions.Delete(request.Id);
        return Task.FromResult(new DeleteSessionResponse());
    }

    public override Task<ListSessionsResponse> List(ListSessionsRequest request, ServerCallContext context) =>
        Task.FromResult(new ListSessionsResponse { Sessions = { sessions.All().Select(Info) } });

    private static SessionInfo Info(ShellSession session) =>
        new() { Id = session.Id, Pid = session.Pid, CreatedAt = Timestamp.FromDateTime(session.CreatedAt) };
}
