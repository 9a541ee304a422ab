using Grpc.Net.Client;
using Sandboxes.Protocol;
using Sandboxes.Protocol.Agent;
using AgentService = Sandboxes.Protocol.Agent.Agent;

namespace Sandboxes.Silo.Agents;

/// <summary>Clients for one running agent, sharing one HTTP/2 connection over its Unix socket.</summary>
public sealed class AgentConnection(AgentEndpoint endpoint, GrpcChannel channel) : IDisposable
{
    public AgentEndpoint Endpoint { get; } = endpoint;

    public Exec.ExecClient Exec { get; } = new(channel);

    public Files.FilesClient Files { get; } = new(channel);

    public Processes.ProcessesClient Processes { get; } = new(channel);

    public Sessions.SessionsClient Sessions { get; } = new(channel);

    public Watches.WatchesClient Watches { get; } = new(channel);

    public Protocol.Terminals.TerminalsClient Terminals { get; } = new(channel);

    public Protocol.CodeInterpreter.CodeInterpreterClient CodeInterpreter { get; } = new(channel);

    public AgentService.AgentClient Agent { get; } = new(channel);

    public void Dispose() => channel.Dispose();
}
