using System.CommandLine;
using Sandboxes.Client;
using Sandboxes.Protocol;

namespace Sandboxes.Cli.Commands;

public static class WatchCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var path = new Argument<string>("path") { Description = "Directory inside the sandbox" };
        var flat = new Option<bool>("--no-recursive") { Description = "Watch only the directory itself, not its subdirectories" };
        var include = new Option<string[]>("--include", "-i") { Description = "Only paths matching this glob (repeatable)" };
        var exclude = new Option<string[]>("--exclude", "-x") { Description = "Skip paths matching this glob (repeatable); .git and node_modules always are" };
        var command = new Command("watch", "Print file changes under a path until Ctrl-C: one 'TYPE PATH' line per change") { name, path, flat, include, exclude };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var options = new WatchOptions { Recursive = !parse.GetValue(flat), Include = parse.GetValue(include), Exclude = parse.GetValue(exclude) };
            await foreach (var e in client.Sandbox(parse.GetValue(name)!).WatchAsync(parse.GetValue(path)!, options, cancellationToken))
            {
                if (e.EventCase == WatchEvent.EventOneofCase.Ready)
                {
                    await Console.Error.WriteLineAsync($"sbx: watching {e.Ready.Directories} directories");
                }
                else if (e.EventCase == WatchEvent.EventOneofCase.Change)
                {
                    Console.WriteLine($"{Type(e.Change.Type)} {e.Change.Path}{(e.Change.IsDirectory ? "/" : "")}");
                }
            }

            return 0;
        }));
        return command;
    }

    private static string Type(ChangeType type) => type switch
    {
        ChangeType.Create => "create",
        ChangeType.Modify => "modify",
        ChangeType.Delete => "delete",
        ChangeType.MoveFrom => "move_from",
        ChangeType.MoveTo => "move_to",
        ChangeType.Attrib => "attrib",
        ChangeType.Overflow => "overflow",
        _ => "unknown",
    };
}
