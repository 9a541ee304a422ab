using System.Net;
using Sandboxes.Silo.Preview;
using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.WebConsole;

/// <summary>
/// The web console on the silo's HTTP port: <c>/</c> (the page, or a token form), its files
/// under <c>/console/</c>, and a small JSON API under <c>/console/api/</c>. Opening
/// <c>/?token=T</c> sets an HttpOnly, SameSite=Strict cookie and redirects to <c>/</c>.
/// </summary>
public static class ConsoleEndpoints
{
    public static void MapConsole(this WebApplication app, int httpPort)
    {
        var host = $"*:{httpPort}";
        app.MapGet("/", Page).RequireHost(host);
        app.MapGet("/console/{file}", Asset).RequireHost(host);
        app.MapGet("/console/api/sandboxes", ListSandboxes).RequireHost(host);
        app.MapGet("/console/api/sandboxes/{name}/ports", ListPorts).RequireHost(host);
        app.MapPost("/console/api/sandboxes/{name}/ports", ExposePort).RequireHost(host);
    }

    private static IResult Page(HttpContext context, ConsoleAccess access)
    {
        if (context.Request.Query.ContainsKey("token"))
        {
            if (!access.Allows(context))
            {
                return Results.Content(LoginPage("That token is not right."), "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
            }

            context.Response.Cookies.Append(ConsoleAccess.CookieName, access.Token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true });
            return Results.Redirect("/");
        }

        return access.Allows(context)
            ? Results.Bytes(ConsoleAssets.Read("index.html")!, ConsoleAssets.ContentType("index.html"))
            : Results.Content(LoginPage(null), "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
    }

    private static IResult Asset(string file) =>
        file != "index.html" && ConsoleAssets.Read(file) is { } bytes
            ? Results.Bytes(bytes, ConsoleAssets.ContentType(file))
            : Results.NotFound();

    private static async Task<IResult> ListSandboxes(HttpContext context, ConsoleAccess access, IGrainFactory grains)
    {
        if (!access.Allows(context))
        {
            return Refused();
        }

        var fresh = await grains.ListSandboxesAsync(new Dictionary<string, string>());
        return Results.Json(
            new ConsoleSandboxes([.. fresh.OrderBy(v => v.Name, StringComparer.Ordinal).Select(v => new ConsoleSandbox(v.Name, v.Status == SandboxStatus.Running ? "running" : "sleeping", v.Spec.Image, v.Spec.Labels))]),
            ConsoleJson.Default.ConsoleSandboxes);
    }

    private static async Task<IResult> ListPorts(HttpContext context, string name, ConsoleAccess access, IGrainFactory grains, PreviewUrls urls) =>
        !access.Allows(context)
            ? Refused()
            : await GuardedAsync(name, grains, async grain =>
                Results.Json(new ConsolePorts([.. (await grain.GetExposedPortsAsync()).Select(p => new ConsolePort(p.Port, p.Name, urls.For(name, p)))]), ConsoleJson.Default.ConsolePorts));

    private static async Task<IResult> ExposePort(HttpContext context, string name, int port, ConsoleAccess access, IGrainFactory grains, PreviewUrls urls) =>
        !access.Allows(context)
            ? Refused()
            : await GuardedAsync(name, grains, async grain =>
            {
                var exposed = await grain.ExposePortAsync(port, "");
                return Results.Json(new ConsolePort(exposed.Port, exposed.Name, urls.For(name, exposed)), ConsoleJson.Default.ConsolePort);
            });

    /// <summary>Runs an action on a sandbox's grain, turning its refusals into JSON problems.</summary>
    private static async Task<IResult> GuardedAsync(string name, IGrainFactory grains, Func<ISandboxGrain, Task<IResult>> action)
    {
        try
        {
            return await action(grains.GetSandbox(name));
        }
        catch (SandboxException e)
        {
            return Problem(e.Error switch { SandboxError.NotFound => 404, SandboxError.InvalidArgument => 400, _ => 409 }, e.Message);
        }
    }

    private static IResult Refused() => Problem(StatusCodes.Status401Unauthorized, "open the console with ?token=... first (run.sh prints the token)");

    private static IResult Problem(int status, string message) => Results.Json(new ConsoleProblem(message), ConsoleJson.Default.ConsoleProblem, statusCode: status);

    private static string LoginPage(string? error) =>
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandboxes</title><link rel=\"stylesheet\" href=\"/console/console.css\"></head>"
        + "<body><header><h1>Sandboxes</h1></header><main style=\"display:block;max-width:32rem\"><section>"
        + "<p>The console needs its token. <code>run.sh</code> prints it when the silo is ready.</p>"
        + (error is null ? "" : $"<p role=\"alert\" style=\"color:#c0392b\">{WebUtility.HtmlEncode(error)}</p>")
        + "<form method=\"get\" action=\"/\"><label>Token <input name=\"token\" type=\"password\" autocomplete=\"off\" required></label> <button type=\"submit\">Open</button></form>"
        + "</section></main></body></html>";
}
