using System.Diagnostics;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Cli;

[Collection(SiloCollection.Name)]
public sealed class CliProcessTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;
    private readonly CliRunner _sbx = new(fixture.Silo);

    [Fact]
    public async Task Start_ps_logs_and_kill()
    {
        var name = _silo.UniqueName("cliproc");

        var start = await _sbx.RunAsync("start", name, "--id", "web", "--cwd", "/tmp", "--env", "GREETING=hello", "--", "sh", "-c", "echo $GREETING from $(pwd); echo warn >&2; exec sleep 1000");
        await _silo.Client.Sandbox(name).Processes.WaitForLogAsync("web", "warn", TimeSpan.FromSeconds(60));
        var ps = await _sbx.RunAsync("ps", name);
        var logs = await _sbx.RunAsync("logs", name, "web");
        var badSignal = await _sbx.RunAsync("kill", name, "web", "--signal", "BOGUS");
        var kill = await _sbx.RunAsync("kill", name, "web", "--signal", "INT");
        var follow = await _sbx.RunAsync("logs", name, "web", "-f");

        Assert.Equal((0, "web\n"), (start.ExitCode, start.Stdout));
        Assert.Contains(ps.Stdout.Split('\n'), l => l.StartsWith("web", StringComparison.Ordinal) && l.Contains("running", StringComparison.Ordinal));
        Assert.Equal(("hello from /tmp\n", "warn\n"), (logs.Stdout, logs.Stderr));
        Assert.Equal(125, badSignal.ExitCode);
        Assert.Contains("unknown signal", badSignal.Stderr);
        Assert.Equal(0, kill.ExitCode);
        Assert.Contains("killed", kill.Stdout);
        Assert.Equal((0, "hello from /tmp\n", "warn\n"), (follow.ExitCode, follow.Stdout, follow.Stderr));
    }

    [Fact]
    public async Task Kill_all_ends_every_started_process_and_session_ls_lists_sessions()
    {
        var name = _silo.UniqueName("clikillall");
        await _sbx.RunAsync("start", name, "--id", "one", "--", "sleep", "1001");
        await _sbx.RunAsync("start", name, "--id", "two", "--", "sleep", "1002");
        await _sbx.RunAsync("session", "create", name, "work");

        var neither = await _sbx.RunAsync("kill", name);
        var killAll = await _sbx.RunAsync("kill", name, "--all");
        var sessions = await _sbx.RunAsync("session", "ls", name);

        Assert.Equal(125, neither.ExitCode);
        Assert.Contains("--all", neither.Stderr);
        Assert.Equal(0, killAll.ExitCode);
        Assert.Contains(killAll.Stdout.Split('\n'), l => l.StartsWith("one killed", StringComparison.Ordinal));
        Assert.Contains(killAll.Stdout.Split('\n'), l => l.StartsWith("two killed", StringComparison.Ordinal));
        Assert.StartsWith("ID", sessions.Stdout, StringComparison.Ordinal);
        Assert.Contains(sessions.Stdout.Split('\n'), l => l.StartsWith("work ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exec_in_a_session_keeps_state_and_session_rm_ends_it()
    {
        var name = _silo.UniqueName("clisess");

        var create = await _sbx.RunAsync("session", "create", name, "dev", "--cwd", "/tmp");
        var set = await _sbx.RunAsync("exec", name, "--session", "dev", "--", "cd /etc && export MODE=dev");
        var get = await _sbx.RunAsync("exec", name, "--session", "dev", "--", "sh", "-c", "echo $MODE $(pwd)");
        var rm = await _sbx.RunAsync("session", "rm", name, "dev");
        var gone = await _sbx.RunAsync("exec", name, "--session", "dev", "--", "true");

        Assert.Equal((0, "dev\n"), (create.ExitCode, create.Stdout));
        Assert.Equal(0, set.ExitCode);
        Assert.Equal((0, "dev /etc\n"), (get.ExitCode, get.Stdout));
        Assert.Equal(0, rm.ExitCode);
        Assert.Equal(125, gone.ExitCode);
    }

    [Fact]
    public async Task Watch_prints_one_line_per_change()
    {
        var name = _silo.UniqueName("cliwatch");
        var box = _silo.Client.Sandbox(name);
        await box.Files.MakeDirectoryAsync("/root/cw");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { TestEnvironment.CliAssembly, "watch", name, "/root/cw" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SANDBOXES_URL"] = _silo.GrpcUrl;
        start.Environment["SANDBOXES_API_KEY"] = _silo.AdminKey;
        using var watch = Process.Start(start)!;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var ready = await watch.StandardError.ReadLineAsync(cancel.Token);
            await box.ExecAsync("echo hi > /root/cw/file");
            string? line;
            while ((line = await watch.StandardOutput.ReadLineAsync(cancel.Token)) is not null && line != "create /root/cw/file")
            {
            }

            Assert.Contains("watching", ready);
            Assert.Equal("create /root/cw/file", line);
        }
        finally
        {
            watch.Kill(entireProcessTree: true);
            await watch.WaitForExitAsync();
        }
    }
}
