using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Sandboxes.Protocol;

namespace Sandboxes.Cli.Commands;

public static class PsCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var command = new Command("ps", "List the processes started in a sandbox, running and ended") { name };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var processes = await client.Sandbox(parse.GetValue(name)!).Processes.ListAsync(cancellationToken);
            SandboxTable.Write(
                ["ID", "PID", "STATUS", "EXIT", "STARTED", "ENDED", "COMMAND"],
                processes.Select(p => (IReadOnlyList<string>)
                [
                    p.Id,
                    p.Pid.ToString(CultureInfo.InvariantCulture),
                    Status(p.Status),
                    p.EndedAt is null ? "" : p.ExitCode.ToString(CultureInfo.InvariantCulture),
                    Time(p.StartedAt),
                    Time(p.EndedAt),
                    p.Command,
                ]));
            return 0;
        }));
        return command;
    }

    public static string Status(ProcessStatus status) => status switch
    {
        ProcessStatus.Starting => "starting",
        ProcessStatus.Running => "running",
        ProcessStatus.Completed => "completed",
        ProcessStatus.Failed => "failed",
        ProcessStatus.Killed => "killed",
        _ => "unknown",
    };

    private static string Time(Timestamp? time) =>
        time?.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) ?? "";
}
