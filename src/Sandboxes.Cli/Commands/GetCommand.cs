using System.CommandLine;

namespace Sandboxes.Cli.Commands;

public static class GetCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var remote = new Argument<string>("remote") { Description = "Path inside the sandbox" };
        var local = new Argument<string>("local") { Description = "Local file to write ('-' for stdout)" };
        var command = new Command("get", "Copy a file out of a sandbox") { name, remote, local };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var files = client.Sandbox(parse.GetValue(name)!).Files;
            var localPath = parse.GetValue(local)!;
            if (localPath == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                await files.ReadAsync(parse.GetValue(remote)!, stdout, null, cancellationToken);
                return 0;
            }

            // Write beside the target and rename, so a failed copy never leaves half a file.
            var full = Path.GetFullPath(localPath);
            var partial = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.sbx-partial");
            var progress = new TransferProgress("downloaded", null);
            try
            {
                await using (var target = File.Create(partial))
                {
                    await files.ReadAsync(parse.GetValue(remote)!, target, progress, cancellationToken);
                }

                File.Move(partial, full, overwrite: true);
            }
            finally
            {
                progress.Done();
                File.Delete(partial);
            }

            return 0;
        }));
        return command;
    }
}
