using System.CommandLine;
using System.Globalization;
using Sandboxes.Client;

namespace Sandboxes.Cli.Commands;

/// <summary>sbx context: the code interpreter's contexts (use with sbx run --context).</summary>
public static class CodeContextCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("context", "Create, list or delete code interpreter contexts (use with run --context)");
        command.Subcommands.Add(Create(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Remove(context));
        return command;
    }

    private static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name; created with defaults if missing" };
        var language = new Option<string>("--lang", "-l") { Description = "python (default), javascript or typescript", DefaultValueFactory = _ => "python" };
        var cwd = new Option<string?>("--cwd", "-w") { Description = "The interpreter's working directory (default /workspace)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment variable K=V (repeatable)" };
        var command = new Command("create", "Start a context; prints its id") { name, language, cwd, env };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var created = await client.Sandbox(parse.GetValue(name)!).CreateCodeContextAsync(
                new CodeContextOptions
                {
                    Language = RunCommand.ParseLanguage(parse.GetValue(language)!),
                    Cwd = parse.GetValue(cwd),
                    Env = Units.ParsePairs(parse.GetValue(env), "--env"),
                },
                cancellationToken);
            Console.WriteLine(created.Id);
            return 0;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var command = new Command("ls", "List a sandbox's code contexts") { name };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var contexts = await client.Sandbox(parse.GetValue(name)!).ListCodeContextsAsync(cancellationToken);
            SandboxTable.Write(
                ["ID", "LANGUAGE", "PID", "RUNS", "STATE", "CWD"],
                contexts.Select(c => (IReadOnlyList<string>)
                [
                    c.Id,
                    c.Language.ToString().ToLowerInvariant(),
                    c.Pid.ToString(CultureInfo.InvariantCulture),
                    c.ExecutionCount.ToString(CultureInfo.InvariantCulture),
                    c.Ended.Length > 0 ? $"ended: {c.Ended}" : c.Busy ? "busy" : "idle",
                    c.Cwd,
                ]));
            return 0;
        }));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var id = new Argument<string>("id") { Description = "Context id" };
        var command = new Command("rm", "Kill a context's interpreter (even one that ignores interrupts) and forget it") { name, id };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            if (!await client.Sandbox(parse.GetValue(name)!).DeleteCodeContextAsync(parse.GetValue(id)!, cancellationToken))
            {
                await Console.Error.WriteLineAsync($"sbx: no context '{parse.GetValue(id)}'");
                return 1;
            }

            return 0;
        }));
        return command;
    }
}
