using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.Api;

/// <summary>
/// Started processes, forwarded to the sandbox's agent, which owns them and keeps their
/// logs; a silo restart breaks only the calls in flight, never the processes.
/// </summary>
public sealed class ProcessesApi(SandboxConnector connector) : Processes.ProcessesBase
{
    public override Task<ProcessInfo> Start(StartProcessRequest request, ServerCallContext context)
    {
        SandboxSpecs.RequireEnv(request.Env);

        // Not repeated on UNAVAILABLE: the first attempt may have started the process.
        return connector.CallOnceAsync(context.CallersSandbox(request.Sandbox), c => c.Processes.StartAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);
    }

    public override Task<ListProcessesResponse> List(ListProcessesRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Processes.ListAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ProcessInfo> Get(ProcessRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Processes.GetAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ProcessInfo> Kill(KillProcessRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Processes.KillAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ListProcessesResponse> KillAll(KillAllProcessesRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Processes.KillAllAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ProcessLogs> GetLogs(ProcessRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Processes.GetLogsAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task StreamLogs(StreamLogsRequest request, IServerStreamWriter<LogEvent> responseStream, ServerCallContext context) =>
        connector.RelayAsync(context.CallersSandbox(request.Sandbox), c => c.Processes.StreamLogs(request, cancellationToken: context.CancellationToken), responseStream, context.CancellationToken);

    public override Task<WaitForLogResponse> WaitForLog(WaitForLogRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Processes.WaitForLogAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ProcessInfo> WaitForPort(WaitForPortRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Processes.WaitForPortAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);

    public override Task<ProcessInfo> WaitForExit(WaitForExitRequest request, ServerCallContext context) =>
        connector.CallAsync(context.CallersSandbox(request.Sandbox), c => c.Processes.WaitForExitAsync(request, cancellationToken: context.CancellationToken).ResponseAsync);
}
