using System.CommandLine;
using Google.Protobuf.WellKnownTypes;
using Sandboxes.Protocol;

namespace Sandboxes.Cli.Commands;

public static class CreateCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sandbox name (a lowercase DNS label)" };
        var image = new Option<string?>("--image") { Description = "Image to run (default: the server's)" };
        var cpus = new Option<double?>("--cpus") { Description = "CPU limit in cores, e.g. 0.5" };
        var memory = new Option<string?>("--memory") { Description = "Memory limit, e.g. 512m or 2g" };
        var disk = new Option<string?>("--disk") { Description = "Disk the sandbox may add to its image, e.g. 512m or 10g (default: the server's)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment variable K=V (repeatable)" };
        var label = new Option<string[]>("--label", "-l") { Description = "Label K=V (repeatable)" };
        var sleepAfter = new Option<string?>("--sleep-after") { Description = "Idle time before sleeping, e.g. 10m" };
        var keepAlive = new Option<bool>("--keep-alive") { Description = "Never sleep for idleness" };
        var host = new Option<string?>("--host") { Description = "Place a new sandbox on this host if it has room ('sbx hosts' lists them)" };
        var command = new Command("create", "Create a sandbox with options (or show the existing one)")
        {
            name, image, cpus, memory, disk, env, label, sleepAfter, keepAlive, host,
        };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            var options = new SandboxOptions
            {
                Image = parse.GetValue(image) ?? string.Empty,
                Cpus = parse.GetValue(cpus) ?? 0,
                MemoryBytes = parse.GetValue(memory) is { } m ? Units.ParseSize(m) : 0,
                DiskBytes = parse.GetValue(disk) is { } d ? Units.ParseSize(d) : 0,
                KeepAlive = parse.GetValue(keepAlive),
                SleepAfter = parse.GetValue(sleepAfter) is { } s ? Duration.FromTimeSpan(Units.ParseDuration(s)) : null,
            };
            options.Env.Add(Units.ParsePairs(parse.GetValue(env), "--env"));
            options.Labels.Add(Units.ParsePairs(parse.GetValue(label), "--label"));
            using var client = context.Connect(parse);
            var box = await client.CreateAsync(parse.GetValue(name)!, options, parse.GetValue(host), cancellationToken);
            var info = await box.GetInfoAsync(cancellationToken);
            Console.WriteLine($"{info.Name}\t{SandboxTable.State(info.State)}\t{info.Image}\t{info.Host}");
            return 0;
        }));
        return command;
    }
}
