using System.CommandLine;
using System.Globalization;

namespace Sandboxes.Cli.Commands;

/// <summary><c>sbx keys create|ls|rm</c>: API keys, for holders of an admin key.</summary>
public static class KeysCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("keys", "Make, list and revoke API keys (needs an admin key)");
        command.Subcommands.Add(Create(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Revoke(context));
        return command;
    }

    private static Command Create(CliContext context)
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant the key acts for (a lowercase DNS label)", Required = true };
        var admin = new Option<bool>("--admin") { Description = "The key may also manage keys" };
        var description = new Option<string?>("--description", "-d") { Description = "A note: who holds the key, what for" };
        var command = new Command("create", "Make a key and print it (only this once)") { tenant, admin, description };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var created = await client.Keys.CreateAsync(parse.GetValue(tenant)!, parse.GetValue(admin), parse.GetValue(description) ?? "", cancellationToken);
            Console.WriteLine(created.Key);
            await Console.Error.WriteLineAsync($"key {created.Info.Id} of tenant {created.Info.Tenant}{(created.Info.Admin ? " (admin)" : "")}: save it now, it is not shown again");
            return 0;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only keys of this tenant" };
        var command = new Command("ls", "List keys (ids, never secrets)") { tenant };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var keys = await client.Keys.ListAsync(parse.GetValue(tenant), cancellationToken);
            SandboxTable.Write(
                ["ID", "TENANT", "ADMIN", "CREATED", "DESCRIPTION"],
                keys.Select(k => (IReadOnlyList<string>)
                [
                    k.Id,
                    k.Tenant,
                    k.Admin ? "yes" : "no",
                    k.Created.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture),
                    k.Description,
                ]));
            return 0;
        }));
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The key's id, as 'sbx keys ls' shows it" };
        var command = new Command("rm", "Revoke a key") { id };
        command.SetAction((parse, cancellationToken) => CliContext.ReportErrorsAsync(async () =>
        {
            using var client = context.Connect(parse);
            var existed = await client.Keys.RevokeAsync(parse.GetValue(id)!, cancellationToken);
            Console.WriteLine(existed ? $"revoked {parse.GetValue(id)}" : $"{parse.GetValue(id)} did not exist");
            return 0;
        }));
        return command;
    }
}
