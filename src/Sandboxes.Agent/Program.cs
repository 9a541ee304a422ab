using Sandboxes.Agent.CodeInterpreter;
using Sandboxes.Agent.Egress;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Files;
using Sandboxes.Agent.Hosting;
using Sandboxes.Agent.Probe;
using Sandboxes.Agent.Processes;
using Sandboxes.Agent.Sessions;
using Sandboxes.Agent.Terminals;
using Sandboxes.Agent.Watch;

// sandboxd --socket /.sandboxes/run/agent.sock [--egress-port 3128] [--code-prestart python,javascript|none]
// sandboxd connect HOST PORT      (a tunnel through the egress proxy on stdin/stdout)
if (args is ["connect", var host, var port])
{
    return await EgressConnect.RunAsync(host, port);
}

// The empty builder: no appsettings files (and so no file watcher on the image's /), no
// environment-driven URLs; only what the agent configures below.
var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args });
builder.Configuration.AddCommandLine(args);
var agentSocket = AgentSocket.Listen(builder.Configuration);
builder.Logging.AddAgentLogging();
builder.WebHost.UseKestrelCore().UseAgentSocket(agentSocket);
builder.Services.AddRoutingCore();
builder.Services.AddSandboxAgent();

var app = builder.Build();
ThreadReserve.Fill();

// Reaping starts before the first request can spawn anything.
app.Services.GetRequiredService<ChildReaper>().Start();

// Warm interpreters for the code interpreter, once the sandbox's first call had the CPU.
app.Services.GetRequiredService<CodeSpares>().Prestart();

// Records of processes that were running when the sandbox last stopped become "killed".
app.Services.GetRequiredService<ProcessTable>().Load();
app.Services.GetRequiredService<SessionTable>().Clear();

var tracker = app.Services.GetRequiredService<CallTracker>();
app.Use(next => new CallTrackingMiddleware(next, tracker).InvokeAsync);
app.MapGrpcService<ExecService>();
app.MapGrpcService<FilesService>();
app.MapGrpcService<ProcessService>();
app.MapGrpcService<SessionService>();
app.MapGrpcService<WatchService>();
app.MapGrpcService<AgentStatusService>();
app.MapGrpcService<TerminalService>();
app.MapGrpcService<CodeInterpreterService>();

app.Lifetime.ApplicationStopped.Register(() => AgentSocket.Remove(agentSocket));
app.Run();
return 0;
