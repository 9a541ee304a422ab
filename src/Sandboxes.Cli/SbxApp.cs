using System.CommandLine;
using Sandboxes.Cli.Commands;

namespace Sandboxes.Cli;

/// <summary>
/// sbx, the command line for Sandboxes. Exit codes follow docker's: the command's own
/// code for exec, 124 for a timeout, 125 when sbx or the server failed, 127 when the
/// command was not found.
/// </summary>
public static class SbxApp
{
    public static Task<int> RunAsync(string[] args)
    {
        var server = new Option<string?>("--server")
        {
            Description = $"gRPC address of a silo (default: $SANDBOXES_URL, then {Client.SandboxClient.DefaultUrl})",
            Recursive = true,
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = $"API key (default: ${Client.ApiKeySource.Variable}, then $SANDBOXES_HOME/admin.key, by default {Client.ApiKeySource.DefaultHome}/admin.key, when readable)",
            Recursive = true,
        };
        var root = new RootCommand("sbx: named, persistent Linux sandboxes for AI agents");
        root.Options.Add(server);
        root.Options.Add(apiKey);
        var context = new CliContext(server, apiKey);
        root.Subcommands.Add(CreateCommand.Build(context));
        root.Subcommands.Add(ListCommand.Build(context));
        root.Subcommands.Add(ExecCommand.Build(context));
        root.Subcommands.Add(PutCommand.Build(context));
        root.Subcommands.Add(GetCommand.Build(context));
        root.Subcommands.Add(FilesCommand.Build(context));
        root.Subcommands.Add(RemoveCommand.Build(context));
        root.Subcommands.Add(StartCommand.Build(context));
        root.Subcommands.Add(PsCommand.Build(context));
        root.Subcommands.Add(LogsCommand.Build(context));
        root.Subcommands.Add(KillCommand.Build(context));
        root.Subcommands.Add(SessionCommand.Build(context));
        root.Subcommands.Add(WatchCommand.Build(context));
        root.Subcommands.Add(GitCommand.Build(context));
        root.Subcommands.Add(PortsCommand.Expose(context));
        root.Subcommands.Add(PortsCommand.List(context));
        root.Subcommands.Add(PortsCommand.Unexpose(context));
        root.Subcommands.Add(ShellCommand.Build(context));
        root.Subcommands.Add(RunCommand.Build(context));
        root.Subcommands.Add(CodeContextCommand.Build(context));
        root.Subcommands.Add(KeysCommand.Build(context));
        root.Subcommands.Add(HostsCommand.Build(context));
        return root.Parse(args).InvokeAsync();
    }
}
