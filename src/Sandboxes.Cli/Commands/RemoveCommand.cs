using System.CommandLine;

namespace Sandboxes.Cli.Commands;

public static class RemoveCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox to destroy: container, state and files" };
        var command = new Command("rm", "Destroy a sandbox") { name };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var existed = await client.Sandbox(parse.GetValue(name)!).DestroyAsync(cancellationToken);
            Console.WriteLine(existed ? $"destroyed {parse.GetValue(name)}" : $"{parse.GetValue(name)} did not exist");
            return 0;
        }));
        return command;
    }
}
