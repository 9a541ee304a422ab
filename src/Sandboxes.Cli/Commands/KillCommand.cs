using System.CommandLine;

namespace Sandboxes.Cli.Commands;

public static class KillCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var id = new Argument<string>("id") { Description = "Process id" };
        var signal = new Option<string>("--signal", "-s") { Description = "TERM, KILL, INT, HUP, QUIT, USR1 or USR2; what is left after a grace period gets KILL", DefaultValueFactory = _ => "TERM" };
        var command = new Command("kill", "Kill a started process and its whole tree") { name, id, signal };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var info = await client.Sandbox(parse.GetValue(name)!).Processes.KillAsync(parse.GetValue(id)!, parse.GetValue(signal)!, cancellationToken);
            Console.WriteLine($"{info.Id} {PsCommand.Status(info.Status)} (exit {info.ExitCode})");
            return 0;
        }));
        return command;
    }
}
