using System.CommandLine;

namespace Sandboxes.Cli.Commands;

public static class KillCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var id = new Argument<string?>("id") { Description = "Process id (leave out with --all)", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Kill every started process in the sandbox" };
        var signal = new Option<string>("--signal", "-s") { Description = "TERM, KILL, INT, HUP, QUIT, USR1 or USR2; what is left after a grace period gets KILL", DefaultValueFactory = _ => "TERM" };
        var command = new Command("kill", "Kill a started process and its whole tree") { name, id, signal, all };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            if (parse.GetValue(all) == (parse.GetValue(id) is not null))
            {
                throw new FormatException("name a process id, or pass --all (not both)");
            }

            using var client = context.Connect(parse);
            var processes = client.Sandbox(parse.GetValue(name)!).Processes;
            var killed = parse.GetValue(all)
                ? await processes.KillAllAsync(cancellationToken)
                : [await processes.KillAsync(parse.GetValue(id)!, parse.GetValue(signal)!, cancellationToken)];
            foreach (var info in killed)
            {
                Console.WriteLine($"{info.Id} {PsCommand.Status(info.Status)} (exit {info.ExitCode})");
            }

            return 0;
        }));
        return command;
    }
}
