using System.CommandLine;
using Sandboxes.Protocol;

namespace Sandboxes.Cli.Commands;

public static class LogsCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var id = new Argument<string>("id") { Description = "Process id" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until the process ends" };
        var command = new Command("logs", "Print a started process's output: stdout to stdout, stderr to stderr") { name, id, follow };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var processes = client.Sandbox(parse.GetValue(name)!).Processes;
            await using var stdout = Console.OpenStandardOutput();
            await using var stderr = Console.OpenStandardError();
            if (!parse.GetValue(follow))
            {
                var logs = await processes.GetLogsAsync(parse.GetValue(id)!, cancellationToken);
                await stdout.WriteAsync(logs.Stdout.Memory, cancellationToken);
                await stderr.WriteAsync(logs.Stderr.Memory, cancellationToken);
                return 0;
            }

            await foreach (var e in processes.StreamLogsAsync(parse.GetValue(id)!, fromStart: true, cancellationToken))
            {
                var (target, data) = e.EventCase switch
                {
                    LogEvent.EventOneofCase.Stdout => (stdout, e.Stdout.Memory),
                    LogEvent.EventOneofCase.Stderr => (stderr, e.Stderr.Memory),
                    _ => (null, ReadOnlyMemory<byte>.Empty),
                };
                if (target is not null)
                {
                    await target.WriteAsync(data, cancellationToken);
                    await target.FlushAsync(cancellationToken);
                }
                else if (e.EventCase == LogEvent.EventOneofCase.Gap)
                {
                    await Console.Error.WriteLineAsync($"sbx: [{e.Gap.DroppedSegments * 8} MiB of output were dropped here: the log keeps its newest 16 MiB]");
                }
            }

            return 0;
        }));
        return command;
    }
}
