using System.Net;
using Sandboxes.Silo.Auth;
using Sandboxes.Silo.Preview;
using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.WebConsole;

/// <summary>
/// The web console on the silo's HTTP port, on its own host only (Console:Host): <c>/</c> (the
/// page, or a login form), <c>POST /console/login</c> (checks an API key and keeps it in an
/// HttpOnly, SameSite=Strict cookie), <c>POST /console/logout</c>, its files under
/// <c>/console/</c>, and a small JSON API under <c>/console/api/</c>.
/// </summary>
public static class ConsoleEndpoints
{
    public static void MapConsole(this WebApplication app, string host)
    {
        app.MapGet("/", Page).RequireHost(host);
        app.MapPost("/console/login", LogInAsync).RequireHost(host);
        app.MapPost("/console/logout", LogOut).RequireHost(host);
        app.MapGet("/console/{file}", Asset).RequireHost(host);
        app.MapGet("/console/api/sandboxes", ListSandboxes).RequireHost(host);
        app.MapGet("/console/api/sandboxes/{name}/ports", ListPorts).RequireHost(host);
        app.MapPost("/console/api/sandboxes/{name}/ports", ExposePort).RequireHost(host);
    }

    private static async Task<IResult> Page(HttpContext context, ConsoleAccess access) =>
        await access.AuthenticateAsync(context) is not null
            ? Results.Bytes(ConsoleAssets.Read("index.html")!, ConsoleAssets.ContentType("index.html"))
            : Results.Content(LoginPage(null), "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);

    private static async Task<IResult> LogInAsync(HttpContext context, ConsoleAccess access)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        var key = form?["key"].FirstOrDefault()?.Trim();
        if (await access.LogInAsync(context, key) is null)
        {
            return Results.Content(LoginPage("That key is not valid: it is unknown, revoked or mistyped."), "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
        }

        context.Response.Cookies.Append(ConsoleAccess.CookieName, key!, ConsoleAccess.CookieFor(context));
        return Results.Redirect("/");
    }

    private static IResult LogOut(HttpContext context)
    {
        context.Response.Cookies.Delete(ConsoleAccess.CookieName, ConsoleAccess.CookieFor(context));
        return Results.Redirect("/");
    }

    private static IResult Asset(string file) =>
        file != "index.html" && ConsoleAssets.Read(file) is { } bytes
            ? Results.Bytes(bytes, ConsoleAssets.ContentType(file))
            : Results.NotFound();

    private static async Task<IResult> ListSandboxes(HttpContext context, ConsoleAccess access, IGrainFactory grains)
    {
        if (await access.AuthenticateAsync(context) is not { } caller)
        {
            return Refused();
        }

        var fresh = await grains.ListSandboxesAsync(caller.Tenant, new Dictionary<string, string>());
        return Results.Json(
            new ConsoleSandboxes([.. fresh.OrderBy(v => v.Name, StringComparer.Ordinal).Select(v => new ConsoleSandbox(v.Name, v.Status == SandboxStatus.Running ? "running" : "sleeping", v.Spec.Image, v.Spec.Labels))]),
            ConsoleJson.Default.ConsoleSandboxes);
    }

    private static async Task<IResult> ListPorts(HttpContext context, string name, ConsoleAccess access, IGrainFactory grains, PreviewUrls urls) =>
        await access.AuthenticateAsync(context) is not { } caller
            ? Refused()
            : await GuardedAsync(caller, name, grains, async (sandbox, grain) =>
                Results.Json(new ConsolePorts([.. (await grain.GetExposedPortsAsync()).Select(p => new ConsolePort(p.Port, p.Name, urls.For(sandbox, p)))]), ConsoleJson.Default.ConsolePorts));

    private static async Task<IResult> ExposePort(HttpContext context, string name, int port, ConsoleAccess access, IGrainFactory grains, PreviewUrls urls) =>
        await access.AuthenticateAsync(context) is not { } caller
            ? Refused()
            : await GuardedAsync(caller, name, grains, async (sandbox, grain) =>
            {
                var exposed = await grain.ExposePortAsync(port, "");
                return Results.Json(new ConsolePort(exposed.Port, exposed.Name, urls.For(sandbox, exposed)), ConsoleJson.Default.ConsolePort);
            });

    /// <summary>Runs an action on the caller's sandbox of that name, turning its refusals into JSON problems.</summary>
    private static async Task<IResult> GuardedAsync(Caller caller, string name, IGrainFactory grains, Func<SandboxKey, ISandboxGrain, Task<IResult>> action)
    {
        try
        {
            var sandbox = caller.Sandbox(name);
            return await action(sandbox, grains.GetSandbox(sandbox));
        }
        catch (SandboxException e)
        {
            return Problem(e.Error switch { SandboxError.NotFound => 404, SandboxError.InvalidArgument => 400, _ => 409 }, e.Message);
        }
    }

    private static IResult Refused() => Problem(StatusCodes.Status401Unauthorized, "log in to the console with an API key first");

    private static IResult Problem(int status, string message) => Results.Json(new ConsoleProblem(message), ConsoleJson.Default.ConsoleProblem, statusCode: status);

    private static string LoginPage(string? error) =>
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandboxes</title><link rel=\"stylesheet\" href=\"/console/console.css\"></head>"
        + "<body><header><h1>Sandboxes</h1></header><main style=\"display:block;max-width:32rem\"><section>"
        + "<p>Log in with an API key. On the silo's host, the first start wrote an admin key to <code>$SANDBOXES_HOME/admin.key</code> "
        + "(<code>/var/lib/sandboxes/admin.key</code>); an admin makes more with <code>sbx keys create --tenant NAME</code>.</p>"
        + (error is null ? "" : $"<p role=\"alert\" style=\"color:#c0392b\">{WebUtility.HtmlEncode(error)}</p>")
        + "<form method=\"post\" action=\"/console/login\"><label>API key <input name=\"key\" type=\"password\" autocomplete=\"off\" required></label> <button type=\"submit\">Log in</button></form>"
        + "</section></main></body></html>";
}
