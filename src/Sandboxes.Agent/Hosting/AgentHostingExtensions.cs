using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sandboxes.Agent.Egress;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Processes;
using Sandboxes.Agent.Probe;
using Sandboxes.Agent.Sessions;
using Sandboxes.Networking;

namespace Sandboxes.Agent.Hosting;

/// <summary>Wires the agent's server, services and logging.</summary>
public static class AgentHostingExtensions
{
    private const int MiB = 1024 * 1024;

    /// <summary>Kestrel on the agent's listening Unix socket only, HTTP/2 without TLS, with windows sized for file transfer.</summary>
    public static IWebHostBuilder UseAgentSocket(this IWebHostBuilder builder, AgentSocket.Listening socket) =>
        builder.ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;

            // The defaults (1 MiB / 768 KiB) cap a single file stream well below what the
            // socket carries.
            options.Limits.Http2.InitialConnectionWindowSize = 16 * MiB;
            options.Limits.Http2.InitialStreamWindowSize = 8 * MiB;
            options.Limits.Http2.MaxStreamsPerConnection = 1000;

            // A unary call's body is one message: allow the contract's whole message, as the
            // silo does, rather than Kestrel's 30,000,000-byte default.
            options.Limits.MaxRequestBodySize = MessageLimits.MaxUnaryRequestBodyBytes;
            options.ListenHandle(socket.Descriptor, listen => listen.Protocols = HttpProtocols.Http2);
        });

    public static IServiceCollection AddSandboxAgent(this IServiceCollection services)
    {
        services.AddGrpc(options =>
        {
            // The silo's own limit: it forwards a caller's messages unchanged, so a smaller one
            // here would refuse what the silo already accepted.
            options.MaxReceiveMessageSize = MessageLimits.MaxMessageBytes;
            options.MaxSendMessageSize = null;
        });
        services.WithoutReflectionBinding()
            .AddGrpcMethods<ExecService>(Protocol.Exec.Bind)
            .AddGrpcMethods<Files.FilesService>(Protocol.Files.Bind)
            .AddGrpcMethods<ProcessService>(Protocol.Processes.Bind)
            .AddGrpcMethods<SessionService>(Protocol.Sessions.Bind)
            .AddGrpcMethods<Watch.WatchService>(Protocol.Watches.Bind)
            .AddGrpcMethods<AgentStatusService>(Protocol.Agent.Agent.Bind)
            .AddGrpcMethods<Terminals.TerminalService>(Protocol.Terminals.Bind)
            .AddGrpcMethods<CodeInterpreter.CodeInterpreterService>(Protocol.CodeInterpreter.Bind);
        services.AddSingleton<ChildReaper>();
        services.AddSingleton<ProcessSpawner>();
        services.AddSingleton<ExecEnvironment>();
        services.AddSingleton<CallTracker>();
        services.AddSingleton<AgentState>();
        services.AddSingleton<ProcessTable>();
        services.AddSingleton<SessionTable>();
        services.AddSingleton<Terminals.TerminalTable>();
        services.AddSingleton<CodeInterpreter.CodeSpares>();
        services.AddSingleton<CodeInterpreter.CodeContextTable>();
        services.AddHostedService<EgressRelay>();
        services.AddHostedService<Handoff.DescriptorHandoff>();
        services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));
        return services;
    }

    /// <summary>One line per message, and only what an operator needs.</summary>
    public static ILoggingBuilder AddAgentLogging(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddProvider(new LineLoggerProvider());
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        logging.AddFilter("Grpc", LogLevel.Warning);
        return logging;
    }
}
