using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sandboxes.Silo.Api;
using Sandboxes.Silo.Auth;
using Sandboxes.Silo.Cluster;
using Sandboxes.Silo.WebConsole;
using Sandboxes.Silo.Git;
using Sandboxes.Silo.Preview;
using Sandboxes.Silo.Terminals;

namespace Sandboxes.Silo.Hosting;

/// <summary>Builds the silo: Orleans, the gRPC API and the container plumbing, in one host.</summary>
public static class SandboxesSilo
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings files sit beside the binary, wherever the silo is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);

        var options = builder.Configuration.GetSection(SandboxesOptions.Section).Get<SandboxesOptions>() ?? new SandboxesOptions();
        // The gRPC API speaks HTTP/2 without TLS; the HTTP port (preview URLs) speaks HTTP/1.1,
        // which browsers and WebSocket upgrades use.
        var httpPort = new Uri(options.HttpUrl).Port;
        builder.WebHost.UseUrls(options.GrpcUrl, options.HttpUrl);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = listen.IPEndPoint?.Port == httpPort ? HttpProtocols.Http1 : HttpProtocols.Http2);
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 8 << 20;
        });

        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

        // YARP warns on every forwarded call that it cannot lift the body size limit: the
        // router set it already, before it read the first message (see CallRouter).
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder.HttpForwarder", LogLevel.Error);
        builder.AddSandboxesServices(options);
        builder.AddSandboxesAuth();
        builder.AddSandboxesOrleans(options);

        var app = builder.Build();

        // A request another silo forwarded is marked (or refused) before anything reads it.
        app.UseMiddleware<ForwardedCall>();

        // Previews and WebSockets live on the HTTP port only; gRPC calls never pass through them.
        app.UseWhen(context => context.Connection.LocalPort == httpPort, http => http.UseMiddleware<PreviewRouter>().UseWebSockets());
        app.UseSandboxesAuth(httpPort);

        // After the key check: the router needs the caller's tenant to find the sandbox.
        app.UseWhen(context => context.Connection.LocalPort != httpPort, grpc => grpc.UseMiddleware<CallRouter>());

        // The console and terminals answer on the console's own host only, never on a preview host.
        var consoleHost = $"{ConsoleOptions.HostFor(builder.Configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions(), new Uri(options.HttpUrl))}:{httpPort}";
        app.Map(TerminalSocket.Route, TerminalSocket.HandleAsync).RequireHost(consoleHost);

        // The same, forwarded by another silo to this one, which holds the sandbox (see ForwardedCall).
        app.Map(ForwardedCall.InternalPrefix + TerminalSocket.Route, TerminalSocket.HandleAsync);
        app.MapConsole(consoleHost);
        app.MapGrpcService<SandboxesApi>();
        app.MapGrpcService<ExecApi>();
        app.MapGrpcService<FilesApi>();
        app.MapGrpcService<ProcessesApi>();
        app.MapGrpcService<SessionsApi>();
        app.MapGrpcService<WatchesApi>();
        app.MapGrpcService<GitApi>();
        app.MapGrpcService<PortsApi>();
        app.MapGrpcService<TerminalsApi>();
        app.MapGrpcService<CodeInterpreterApi>();
        app.MapGrpcService<HostsApi>();
        return app;
    }
}
