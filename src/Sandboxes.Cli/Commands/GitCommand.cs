using System.CommandLine;
using Sandboxes.Client;
using Sandboxes.Protocol;

namespace Sandboxes.Cli.Commands;

public static class GitCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("git", "Git operations inside a sandbox, through the silo's egress proxy");
        command.Subcommands.Add(Clone(context));
        return command;
    }

    private static Command Clone(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name; created with defaults if missing" };
        var url = new Argument<string>("url") { Description = "http://, https:// or git:// URL; its host must be in the silo's Egress:AllowedHosts" };
        var branch = new Option<string?>("--branch", "-b") { Description = "Branch or tag to check out (default: the remote's default branch)" };
        var dir = new Option<string?>("--dir", "-d") { Description = "Target directory, absolute or relative to /workspace (default /workspace/REPO)" };
        var depth = new Option<int?>("--depth") { Description = "Clone only this many commits of history" };
        var command = new Command("clone", "Clone a repository into the sandbox, showing git's progress") { name, url, branch, dir, depth };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var options = new GitCheckoutOptions { Branch = parse.GetValue(branch), TargetDir = parse.GetValue(dir), Depth = parse.GetValue(depth) };
            var progress = new GitCloneProgress();
            var result = await client.Sandbox(parse.GetValue(name)!).GitCheckoutAsync(parse.GetValue(url)!, options, progress, cancellationToken);
            progress.Done();
            Console.WriteLine($"{result.Directory} {result.Branch} {result.Commit}");
            return 0;
        }));
        return command;
    }

    /// <summary>git's progress on stderr: redrawn in place on a terminal, one line per phase otherwise.</summary>
    private sealed class GitCloneProgress : IProgress<GitProgress>
    {
        private readonly bool _terminal = !Console.IsErrorRedirected;
        private bool _redrawing;

        public void Report(GitProgress value)
        {
            if (_terminal && value.Percent is >= 0 and < 100)
            {
                Console.Error.Write($"\r{value.Line}\u001b[K");
                _redrawing = true;
                return;
            }

            if (value.Percent is >= 0 and < 100)
            {
                return;
            }

            Console.Error.WriteLine(_redrawing ? $"\r{value.Line}\u001b[K" : value.Line);
            _redrawing = false;
        }

        public void Done()
        {
            if (_redrawing)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
