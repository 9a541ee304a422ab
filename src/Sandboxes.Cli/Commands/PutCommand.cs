using System.CommandLine;

namespace Sandboxes.Cli.Commands;

public static class PutCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var local = new Argument<string>("local") { Description = "Local file to upload ('-' for stdin)" };
        var remote = new Argument<string>("remote") { Description = "Path inside the sandbox" };
        var command = new Command("put", "Copy a local file into a sandbox") { name, local, remote };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            var localPath = parse.GetValue(local)!;
            await using var source = localPath == "-" ? Console.OpenStandardInput() : File.OpenRead(localPath);
            var progress = new TransferProgress("uploaded", source.CanSeek ? source.Length : null);
            using var client = context.Connect(parse);
            var entry = await client.Sandbox(parse.GetValue(name)!).Files.WriteAsync(parse.GetValue(remote)!, source, null, progress, cancellationToken);
            progress.Done();
            Console.WriteLine($"{entry.Path}\t{entry.Size} bytes");
            return 0;
        }));
        return command;
    }
}
