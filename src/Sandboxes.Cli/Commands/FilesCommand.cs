using System.CommandLine;
using System.Globalization;
using Sandboxes.Protocol;

namespace Sandboxes.Cli.Commands;

public static class FilesCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var path = new Argument<string>("path") { Description = "Directory inside the sandbox", DefaultValueFactory = _ => "/root" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "List the whole tree" };
        var command = new Command("files", "List a directory inside a sandbox") { name, path, recursive };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var entries = await client.Sandbox(parse.GetValue(name)!).Files.ListAsync(parse.GetValue(path)!, parse.GetValue(recursive), cancellationToken);
            SandboxTable.Write(
                ["NAME", "TYPE", "SIZE", "MODE", "MODIFIED"],
                entries.Select(e => (IReadOnlyList<string>)
                [
                    parse.GetValue(recursive) ? e.Path : e.Name,
                    Type(e.Type),
                    e.Size.ToString(CultureInfo.InvariantCulture),
                    Convert.ToString(e.Mode, 8).PadLeft(4, '0'),
                    e.Modified?.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) ?? "",
                ]));
            return 0;
        }));
        return command;
    }

    private static string Type(FileType type) => type switch
    {
        FileType.File => "file",
        FileType.Directory => "dir",
        FileType.Symlink => "symlink",
        _ => "other",
    };
}
