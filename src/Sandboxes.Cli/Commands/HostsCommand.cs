using System.CommandLine;
using System.Globalization;
using Sandboxes.Protocol;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sbx hosts [drain|undrain H]</c>: the cluster's hosts, for holders of an admin key.</summary>
public static class HostsCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("hosts", "List the cluster's hosts with their capacity and sandboxes (needs an admin key)");
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            Write(await client.Hosts.ListAsync(cancellationToken));
            return 0;
        }));
        command.Subcommands.Add(Drain(context, "drain", "Stop placing new sandboxes on a host; its sandboxes stay", drain: true));
        command.Subcommands.Add(Drain(context, "undrain", "Place new sandboxes on a host again", drain: false));
        return command;
    }

    private static Command Drain(CliContext context, string name, string description, bool drain)
    {
        var host = new Argument<string>("host") { Description = "The host's name, as 'sbx hosts' shows it" };
        var command = new Command(name, description) { host };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var info = drain ? await client.Hosts.DrainAsync(parse.GetValue(host)!, cancellationToken) : await client.Hosts.UndrainAsync(parse.GetValue(host)!, cancellationToken);
            Write([info]);
            return 0;
        }));
        return command;
    }

    private static void Write(IEnumerable<HostInfo> hosts) => SandboxTable.Write(
        ["HOST", "STATE", "RUNNING", "SANDBOXES", "MEMORY FREE", "DISK FREE", "REPORTED"],
        hosts.Select(h => (IReadOnlyList<string>)
        [
            h.Name,
            !h.Up ? "down" : h.Draining ? "draining" : h.Refusal.Length > 0 ? h.Refusal : "ready",
            $"{h.Running}/{h.MaxRunning}",
            h.Sandboxes.ToString(CultureInfo.InvariantCulture),
            $"{h.MemoryAvailableBytes >> 20}/{h.MemoryTotalBytes >> 20} MiB",
            $"{h.DiskAvailableBytes >> 30}/{h.DiskTotalBytes >> 30} GiB",
            h.Reported.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture),
        ]));
}
