using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Agents;
using Sandboxes.Silo.Api;
using Sandboxes.Silo.Egress;
using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.Git;

/// <summary>
/// Clones with the sandbox's own git, run through the agent's exec stream: git's progress is
/// relayed as it prints it, and its network traffic goes through the egress proxy.
/// </summary>
public sealed class GitApi(SandboxConnector connector, EgressRefusals refusals) : Protocol.Git.GitBase
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    public override async Task Checkout(GitCheckoutRequest request, IServerStreamWriter<GitCheckoutEvent> responseStream, ServerCallContext context)
    {
        var clone = GitClone.From(request);
        var timeout = request.Timeout?.ToTimeSpan() is { } t && t > TimeSpan.Zero ? t : DefaultTimeout;
        var sandbox = context.CallersSandbox(request.Sandbox);
        await connector.CallOnceAsync(sandbox, async agent =>
        {
            var existed = (await agent.Files.ExistsAsync(new PathRequest { Path = clone.Directory }, cancellationToken: context.CancellationToken)).Exists;
            var finished = false;
            var began = refusals.Mark();
            try
            {
                var (exitCode, stderr) = await RunCloneAsync(agent, clone, timeout, responseStream, context.CancellationToken);
                if (exitCode != 0)
                {
                    // git removes what it created when it fails by itself.
                    finished = true;
                    throw refusals.RefusedSince(sandbox.LocalName, clone.Host, began) is { } refusal
                        ? GitFailure.Refused(exitCode, refusal, stderr)
                        : GitFailure.From(exitCode, stderr);
                }

                await responseStream.WriteAsync(new GitCheckoutEvent { Done = await DescribeAsync(agent, clone, context.CancellationToken) }, context.CancellationToken);
                finished = true;
            }
            finally
            {
                if (!finished && !existed)
                {
                    // Killed by a timeout or a cancel: git had no chance to remove its partial clone.
                    await RemoveAsync(agent, clone.Directory);
                }
            }

            return true;
        });
    }

    private static async Task<(int ExitCode, string Stderr)> RunCloneAsync(AgentConnection agent, GitClone clone, TimeSpan timeout, IServerStreamWriter<GitCheckoutEvent> responseStream, CancellationToken cancellationToken)
    {
        var start = new ExecRequest { Cwd = "/", Timeout = Duration.FromTimeSpan(timeout) };
        start.Argv.AddRange(clone.Argv());
        start.Env.Add(new Dictionary<string, string>(GitClone.Environment));
        using var call = agent.Exec.Stream(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new ExecInput { Start = start }, cancellationToken);
        await call.RequestStream.CompleteAsync();

        var progress = new GitProgressLine();
        var stderr = new StringBuilder();
        var decoder = Encoding.UTF8.GetDecoder();
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            switch (e.EventCase)
            {
                case ExecEvent.EventOneofCase.Stdout or ExecEvent.EventOneofCase.Stderr:
                    var bytes = e.EventCase == ExecEvent.EventOneofCase.Stdout ? e.Stdout.Span : e.Stderr.Span;
                    var chars = new char[decoder.GetCharCount(bytes, flush: false)];
                    decoder.GetChars(bytes, chars, flush: false);
                    var text = new string(chars);
                    if (stderr.Length < 64 * 1024)
                    {
                        stderr.Append(text);
                    }

                    foreach (var line in progress.Add(text))
                    {
                        await responseStream.WriteAsync(new GitCheckoutEvent { Progress = line }, cancellationToken);
                    }

                    break;
                case ExecEvent.EventOneofCase.Heartbeat:
                    await responseStream.WriteAsync(new GitCheckoutEvent { Heartbeat = e.Heartbeat }, cancellationToken);
                    break;
                case ExecEvent.EventOneofCase.Exit:
                    return (e.Exit.ExitCode, stderr.ToString());
            }
        }

        throw new SandboxException(SandboxError.Unavailable, "the sandbox's agent ended the clone without an exit status; retry");
    }

    private static async Task<GitCheckoutResult> DescribeAsync(AgentConnection agent, GitClone clone, CancellationToken cancellationToken)
    {
        var ask = new ExecRequest { Cwd = clone.Directory };
        ask.Argv.AddRange(["git", "rev-parse", "HEAD", "--abbrev-ref", "HEAD"]);
        var answer = await agent.Exec.RunAsync(ask, cancellationToken: cancellationToken);
        var lines = answer.Stdout.ToStringUtf8().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return new GitCheckoutResult
        {
            Directory = clone.Directory,
            Commit = lines.ElementAtOrDefault(0) ?? "",
            Branch = lines.ElementAtOrDefault(1) ?? "",
        };
    }

    private static async Task RemoveAsync(AgentConnection agent, string directory)
    {
        try
        {
            var remove = new ExecRequest { Cwd = "/", Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)) };
            remove.Argv.AddRange(["rm", "-rf", "--", directory]);
            await agent.Exec.RunAsync(remove, cancellationToken: CancellationToken.None);
        }
        catch (RpcException)
        {
            // The agent is gone too; the next clone into this directory reports it as existing.
        }
    }
}
