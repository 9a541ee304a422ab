using System.CommandLine;
using Sandboxes.Client;

namespace Sandboxes.Cli.Commands;

public static class StartCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name; created with defaults if missing" };
        var argv = new Argument<string[]>("command") { Description = "Command and arguments, after --", Arity = ArgumentArity.OneOrMore };
        var id = new Option<string?>("--id") { Description = "Process id (1-64 of A-Z a-z 0-9 . _ -); generated when omitted" };
        var cwd = new Option<string?>("--cwd", "-w") { Description = "Working directory (default /root)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment variable K=V (repeatable)" };
        var timeout = new Option<string?>("--timeout", "-t") { Description = "Kill the process's tree after this long, e.g. 10m" };
        var command = new Command("start", "Start a long-running process and print its id") { name, argv, id, cwd, env, timeout };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            var options = new StartProcessOptions
            {
                Id = parse.GetValue(id),
                Cwd = parse.GetValue(cwd),
                Env = Units.ParsePairs(parse.GetValue(env), "--env"),
                Timeout = parse.GetValue(timeout) is { } t ? Units.ParseDuration(t) : null,
            };
            using var client = context.Connect(parse);
            var info = await client.Sandbox(parse.GetValue(name)!).Processes.StartAsync(parse.GetValue(argv)!, options, cancellationToken);
            Console.WriteLine(info.Id);
            return 0;
        }));
        return command;
    }
}
