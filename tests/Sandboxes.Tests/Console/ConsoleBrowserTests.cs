using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Console;

/// <summary>
/// The web console in a real browser: Debian's chromium, headless, driven by Playwright (no
/// browser download). Screenshots go to screenshots/ beside the test assembly.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed partial class ConsoleBrowserTests(SiloFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly float Bound = 60_000;
    private readonly TestSilo _silo = fixture.Silo;

    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task A_person_opens_a_terminal_runs_a_server_exposes_it_and_follows_the_preview_link()
    {
        var name = _silo.UniqueName("console");
        await _silo.Client.CreateAsync(name, new SandboxOptions { Labels = { ["team"] = "browser-test" } });
        Directory.CreateDirectory(ScreenshotFolder);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,

            // Chromium's own sandbox needs user namespaces a root test run does not get.
            Args = ["--no-sandbox"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(Bound);

        // Without a key: the login form, not the console; a wrong key leaves it there.
        var refused = await page.GotoAsync(_silo.HttpUrl + "/");
        Assert.Equal(401, refused?.Status);
        await page.Locator("input[name=key]").FillAsync("sbx_0123456789abcdef_" + new string('0', 64));
        var wrong = await page.RunAndWaitForResponseAsync(() => page.Locator("form button[type=submit]").ClickAsync(), r => r.Url.EndsWith("/console/login", StringComparison.Ordinal));
        Assert.Equal(401, wrong.Status);

        // With the key: a host-only, HttpOnly, SameSite=Strict cookie, and the console.
        await page.Locator("input[name=key]").FillAsync(_silo.AdminKey);
        await page.Locator("form button[type=submit]").ClickAsync();
        await page.WaitForURLAsync($"{_silo.HttpUrl}/");
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "sandboxes_console");
        Assert.Equal((true, SameSiteAttribute.Strict, "127.0.0.1"), (cookie.HttpOnly, cookie.SameSite, cookie.Domain));
        var row = page.Locator($"#sandboxes tr[data-name='{name}']");
        await row.WaitForAsync();
        Assert.Contains("team=browser-test", await row.InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "1-console.png") });

        await row.Locator("button.open-terminal").ClickAsync();
        var terminal = page.Locator("#terminal .xterm-rows");
        await terminal.WaitForAsync();
        await page.Locator("#terminal").ClickAsync();
        await page.Keyboard.TypeAsync("echo hello-$RANDOM");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync(
            "() => /^hello-\\d+\\s*$/m.test([...document.querySelectorAll('#terminal .xterm-rows > div')].map(r => r.textContent).join('\\n'))");
        var screen = await terminal.InnerTextAsync();
        Assert.Matches(EchoedLine(), screen);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "2-terminal.png") });

        await page.Keyboard.TypeAsync("mkdir -p /srv/www && echo from-the-sandbox > /srv/www/marker.txt && cd /srv/www && python3 -m http.server 8000");
        await page.Keyboard.PressAsync("Enter");
        await _silo.Client.Sandbox(name).Processes.StartAsync(["sh", "-c", "for i in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/8000) 2>/dev/null && exit 0; sleep 0.1; done; exit 1"], new StartProcessOptions { Id = "wait-8000" });
        await _silo.Client.Sandbox(name).Processes.WaitForExitAsync("wait-8000", TimeSpan.FromSeconds(30));

        await page.Locator("#expose-port").FillAsync("8000");
        await page.Locator("#expose-form button[type=submit]").ClickAsync();
        var link = page.Locator("a.preview-link");
        await link.WaitForAsync();
        Assert.Matches(new Regex($"^http://8000-{name}-[a-z0-9]{{16}}\\.preview\\.localhost:\\d+/$"), await link.InnerTextAsync());

        var preview = await page.Context.RunAndWaitForPageAsync(() => link.ClickAsync());
        await preview.WaitForLoadStateAsync();
        await preview.GetByText("Directory listing for /").WaitForAsync();
        Assert.Contains("marker.txt", await preview.ContentAsync(), StringComparison.Ordinal);
        await preview.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "3-preview.png") });
    }

    // The echo's output, not the typed command (which still holds $RANDOM).
    [GeneratedRegex(@"(?m)^hello-\d+\s*$")]
    private static partial Regex EchoedLine();
}
