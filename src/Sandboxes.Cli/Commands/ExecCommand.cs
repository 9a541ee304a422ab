using System.CommandLine;
using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;

namespace Sandboxes.Cli.Commands;

public static class ExecCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name; created with defaults if missing" };
        var argv = new Argument<string[]>("command") { Description = "Command and arguments, after --", Arity = ArgumentArity.OneOrMore };
        var cwd = new Option<string?>("--cwd", "-w") { Description = "Working directory (default /root)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment variable K=V (repeatable)" };
        var timeout = new Option<string?>("--timeout", "-t") { Description = "Kill the command's process group after this long, e.g. 10s" };
        var session = new Option<string?>("--session", "-s") { Description = "Run in this persistent shell session (\"default\" always exists); stdin is not forwarded" };
        var command = new Command("exec", "Run a command in a sandbox, streaming its output") { name, argv, cwd, env, timeout, session };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            var options = new ExecOptions
            {
                Cwd = parse.GetValue(cwd),
                Env = Units.ParsePairs(parse.GetValue(env), "--env"),
                Timeout = parse.GetValue(timeout) is { } t ? Units.ParseDuration(t) : null,
                Session = parse.GetValue(session),
            };
            using var client = context.Connect(parse);
            var box = client.Sandbox(parse.GetValue(name)!);
            var words = parse.GetValue(argv)!;

            // In a session one word is a command line (sbx exec box -s s -- 'cd /tmp && export X=1').
            await using var running = options.Session is not null && words.Length == 1
                ? box.StartExec(words[0], options, cancellationToken)
                : box.StartExec(words, options, cancellationToken);
            var stdin = ForwardStdinAsync(running, cancellationToken);
            try
            {
                return await WriteOutputAsync(running, cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
            {
                await Console.Error.WriteLineAsync($"sbx: {e.Status.Detail}");
                return CliContext.TimedOut;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && e.Status.Detail.StartsWith("command", StringComparison.Ordinal))
            {
                await Console.Error.WriteLineAsync($"sbx: {e.Status.Detail}");
                return CliContext.NotFound;
            }
            finally
            {
                // Never wait for stdin here: a command that exits early (head -1) must not hang on our input.
                _ = stdin.ContinueWith(t => t.Exception, TaskScheduler.Default);
            }
        }));
        return command;
    }

    private static async Task<int> WriteOutputAsync(ExecSession session, CancellationToken cancellationToken)
    {
        await using var stdout = Console.OpenStandardOutput();
        await using var stderr = Console.OpenStandardError();
        await foreach (var e in session.Events.WithCancellation(cancellationToken))
        {
            switch (e.EventCase)
            {
                case ExecEvent.EventOneofCase.Stdout:
                    await stdout.WriteAsync(e.Stdout.Memory, cancellationToken);
                    await stdout.FlushAsync(cancellationToken);
                    break;
                case ExecEvent.EventOneofCase.Stderr:
                    await stderr.WriteAsync(e.Stderr.Memory, cancellationToken);
                    await stderr.FlushAsync(cancellationToken);
                    break;
                case ExecEvent.EventOneofCase.Exit:
                    return e.Exit.ExitCode;
            }
        }

        await Console.Error.WriteLineAsync("sbx: the command's stream ended without an exit status");
        return CliContext.Failed;
    }

    /// <summary>Pipes our stdin to the command when it is not a terminal; a terminal gets EOF at once.</summary>
    private static async Task ForwardStdinAsync(ExecSession session, CancellationToken cancellationToken)
    {
        if (!Console.IsInputRedirected)
        {
            await session.CloseStdinAsync();
            return;
        }

        await using var stdin = Console.OpenStandardInput();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stdin.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await session.WriteStdinAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        await session.CloseStdinAsync();
    }
}
