using System.CommandLine;

namespace Sandboxes.Cli.Commands;

public static class SessionCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("session", "Create or remove persistent shell sessions (use with exec --session)");
        command.Subcommands.Add(Create(context));
        command.Subcommands.Add(Remove(context));
        command.Subcommands.Add(List(context));
        return command;
    }

    private static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name; created with defaults if missing" };
        var id = new Argument<string>("id") { Description = "Session id (1-64 of A-Z a-z 0-9 . _ -)" };
        var cwd = new Option<string?>("--cwd", "-w") { Description = "The shell's first working directory (default /root)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment variable K=V of the session (repeatable)" };
        var command = new Command("create", "Create a session") { name, id, cwd, env };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var session = await client.Sandbox(parse.GetValue(name)!).CreateSessionAsync(parse.GetValue(id), Units.ParsePairs(parse.GetValue(env), "--env"), parse.GetValue(cwd), cancellationToken);
            Console.WriteLine(session.Id);
            return 0;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var command = new Command("ls", "List a sandbox's sessions") { name };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var sessions = await client.Sandbox(parse.GetValue(name)!).ListSessionsAsync(cancellationToken);
            SandboxTable.Write(
                ["ID", "PID", "CREATED"],
                sessions.Select(s => (IReadOnlyList<string>)
                [
                    s.Id,
                    s.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    s.CreatedAt?.ToDateTimeOffset().ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                ]));
            return 0;
        }));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var id = new Argument<string>("id") { Description = "Session id" };
        var command = new Command("rm", "Delete a session: its shell and every process it left behind") { name, id };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            await client.Sandbox(parse.GetValue(name)!).Session(parse.GetValue(id)!).DeleteAsync(cancellationToken);
            Console.WriteLine($"deleted session {parse.GetValue(id)}");
            return 0;
        }));
        return command;
    }
}
