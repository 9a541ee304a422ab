using System.Diagnostics;

namespace Sandboxes.Tests.Infrastructure;

/// <summary>
/// One of the multi-host tests' own engines (never the main test engine), stopped and started
/// as an operator would: SIGTERM to its dockerd (as for an upgrade), then .ci/prepare-host.sh engine again.
/// </summary>
public sealed class TestEngine(string home)
{
    public static TestEngine Of(TestSilo host)
    {
        var socket = new Uri(host.Settings["Sandboxes:DockerEndpoint"]!).AbsolutePath;
        var home = Path.GetDirectoryName(Path.GetDirectoryName(socket))!;
        return home == "/var/lib/sandboxes"
            ? throw new InvalidOperationException("the main test engine is shared by every test; stop only a cluster host's own engine")
            : new TestEngine(home);
    }

    public async Task StopAsync()
    {
        var pid = int.Parse((await File.ReadAllTextAsync(Path.Combine(home, "engine", "dockerd.pid"))).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var dockerd = Process.GetProcessById(pid);
        using (var term = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await dockerd.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(TestEnvironment.RepositoryRoot, ".ci", "prepare-host.sh"), "engine")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["SANDBOXES_HOME"] = home },
        };
        using var prepare = Process.Start(start)!;
        var errors = prepare.StandardError.ReadToEndAsync();
        await prepare.StandardOutput.ReadToEndAsync();
        await prepare.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
        if (prepare.ExitCode != 0)
        {
            throw new InvalidOperationException($"restarting the engine in {home} failed: {await errors}");
        }
    }
}
