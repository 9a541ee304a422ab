using System.CommandLine;
using System.Globalization;

namespace Sandboxes.Cli.Commands;

public static class ListCommand
{
    public static Command Build(CliContext context)
    {
        var label = new Option<string[]>("--label", "-l") { Description = "Only sandboxes with this label K=V (repeatable)" };
        var command = new Command("ls", "List sandboxes") { label };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var sandboxes = await client.ListAsync(Units.ParsePairs(parse.GetValue(label), "--label"), cancellationToken);
            SandboxTable.Write(
                ["NAME", "STATE", "IMAGE", "CREATED", "LAST ACTIVE"],
                sandboxes.Select(s => (IReadOnlyList<string>)
                [
                    s.Name,
                    SandboxTable.State(s.State),
                    s.Image,
                    s.Created.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture),
                    s.LastActive.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture),
                ]));
            return 0;
        }));
        return command;
    }
}
