using System.CommandLine;
using System.Globalization;

namespace Sandboxes.Cli.Commands;

/// <summary>sbx expose, sbx ports and sbx unexpose: preview URLs for ports inside a sandbox.</summary>
public static class PortsCommand
{
    public static Command Expose(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var port = new Argument<int>("port") { Description = "Port a server listens on inside the sandbox (1024-65535)" };
        var label = new Option<string?>("--name") { Description = "A label for the port" };
        var command = new Command("expose", "Give a port inside the sandbox a preview URL and print it") { name, port, label };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var exposed = await client.Sandbox(parse.GetValue(name)!).ExposePortAsync(parse.GetValue(port), parse.GetValue(label), cancellationToken);
            Console.WriteLine(exposed.Url);
            return 0;
        }));
        return command;
    }

    public static Command List(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var command = new Command("ports", "List a sandbox's exposed ports and their preview URLs") { name };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var ports = await client.Sandbox(parse.GetValue(name)!).GetExposedPortsAsync(cancellationToken);
            SandboxTable.Write(
                ["PORT", "NAME", "URL"],
                ports.Select(p => (IReadOnlyList<string>)[p.Port.ToString(CultureInfo.InvariantCulture), p.Name, p.Url]));
            return 0;
        }));
        return command;
    }

    public static Command Unexpose(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name" };
        var port = new Argument<int>("port") { Description = "The exposed port" };
        var command = new Command("unexpose", "Close a port's preview URL") { name, port };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var closed = await client.Sandbox(parse.GetValue(name)!).UnexposePortAsync(parse.GetValue(port), cancellationToken);
            Console.WriteLine(closed ? $"port {parse.GetValue(port)} is no longer exposed" : $"port {parse.GetValue(port)} was not exposed");
            return 0;
        }));
        return command;
    }
}
