using System.CommandLine;
using System.Globalization;

namespace Sandboxes.Cli.Commands;

public static class ListCommand
{
    public static Command Build(CliContext context)
    {
        var label = new Option<string[]>("--label", "-l") { Description = "Only sandboxes with this label K=V (repeatable)" };
        var pageSize = new Option<int?>("--page-size") { Description = "Show one page of at most this many sandboxes (1-1000) and print how to get the next" };
        var pageToken = new Option<string?>("--page-token") { Description = "Continue a paged listing where the previous page ended" };
        var command = new Command("ls", "List sandboxes") { label, pageSize, pageToken };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var labels = Units.ParsePairs(parse.GetValue(label), "--label");
            IReadOnlyList<Sandboxes.Protocol.SandboxInfo> sandboxes;
            var next = "";
            if (parse.GetValue(pageSize) is null && parse.GetValue(pageToken) is null)
            {
                sandboxes = await client.ListAsync(labels, cancellationToken);
            }
            else
            {
                var page = await client.ListPageAsync(labels, parse.GetValue(pageSize) ?? 0, parse.GetValue(pageToken), cancellationToken);
                sandboxes = page.Sandboxes;
                next = page.NextPageToken;
            }

            SandboxTable.Write(
                ["NAME", "STATE", "HOST", "IMAGE", "CREATED", "LAST ACTIVE"],
                sandboxes.Select(s => (IReadOnlyList<string>)
                [
                    s.Name,
                    SandboxTable.State(s.State),
                    s.Host.Length > 0 ? s.Host : "-",
                    s.Image,
                    s.Created.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture),
                    s.LastActive.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture),
                ]));
            if (next.Length > 0)
            {
                await Console.Error.WriteLineAsync($"more: sbx ls --page-token {next}{(parse.GetValue(pageSize) is { } size ? $" --page-size {size}" : "")}");
            }

            return 0;
        }));
        return command;
    }
}
