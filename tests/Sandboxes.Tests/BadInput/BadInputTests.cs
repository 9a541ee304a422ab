using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.BadInput;

/// <summary>Bad input gets a clear status and never brings down the silo or the sandbox.</summary>
[Collection(SiloCollection.Name)]
public sealed class BadInputTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    [Theory]
    [InlineData("")]
    [InlineData("UPPER")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("under_score")]
    [InlineData("dots.not.allowed")]
    [InlineData("ünïcode")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public async Task Bad_names_get_invalid_argument_with_the_rule(string name)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _silo.Client.Sandbox(name).ExecAsync("true"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("lowercase DNS label", error.Status.Detail);
    }

    [Fact]
    public async Task Unknown_sandbox_is_not_found_for_get_and_sleep_policy()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("ghost"));

        var get = await Assert.ThrowsAsync<RpcException>(() => box.GetInfoAsync());
        var policy = await Assert.ThrowsAsync<RpcException>(() => box.SetSleepPolicyAsync(TimeSpan.FromMinutes(1)));

        Assert.Equal((StatusCode.NotFound, StatusCode.NotFound), (get.StatusCode, policy.StatusCode));
        Assert.False(await box.DestroyAsync());
    }

    [Fact]
    public async Task Unknown_path_directory_path_and_non_utf8_path_get_clear_statuses()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("paths"));

        var missing = await Assert.ThrowsAsync<RpcException>(() => box.Files.ReadAllBytesAsync("/no/such/file"));
        var directory = await Assert.ThrowsAsync<RpcException>(() => box.Files.ReadAllBytesAsync("/etc"));
        var loneSurrogate = await Assert.ThrowsAsync<RpcException>(() => box.Files.WriteTextAsync("/tmp/bad-\ud800-name", "x"));
        var empty = await Assert.ThrowsAsync<RpcException>(() => box.Files.StatAsync(""));

        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, directory.StatusCode);
        Assert.Contains("directory", directory.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, loneSurrogate.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
    }

    [Fact]
    public async Task Files_with_non_utf8_names_are_listed_with_their_exact_bytes()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("rawname"));
        await box.ExecAsync("mkdir -p /tmp/raw && touch /tmp/raw/$(printf 'bad\\377name')");

        var entries = await box.Files.ListAsync("/tmp/raw");

        var entry = Assert.Single(entries);
        Assert.Equal([(byte)'b', (byte)'a', (byte)'d', 0xff, (byte)'n', (byte)'a', (byte)'m', (byte)'e'], entry.RawName.ToByteArray());
        Assert.Contains('\uFFFD', entry.Name);
    }

    [Fact]
    public async Task A_command_that_does_not_exist_is_not_found_or_127()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("nocmd"));

        var direct = await Assert.ThrowsAsync<RpcException>(() => box.ExecAsync(["no-such-command-xyz"]));
        var shell = await box.ExecAsync("no-such-command-xyz");

        Assert.Equal(StatusCode.NotFound, direct.StatusCode);
        Assert.Contains("no-such-command-xyz", direct.Status.Detail);
        Assert.Equal(127, shell.ExitCode);
    }

    [Fact]
    public async Task A_command_printing_100_MB_streams_fully_and_unary_exec_truncates()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("flood"));
        long streamed = 0;

        await foreach (var e in box.ExecStreamAsync("head -c 104857600 /dev/zero"))
        {
            streamed += e.Stdout.Length;
        }

        var unary = await box.ExecAsync("head -c 104857600 /dev/zero; echo tail >&2");

        Assert.Equal(100L << 20, streamed);
        Assert.True(unary.StdoutTruncated);
        Assert.Equal(8 << 20, unary.StdoutBytes.Length);
        Assert.Equal("tail\n", unary.Stderr);
    }

    [Fact]
    public async Task A_fork_bomb_is_contained_by_the_pids_limit_and_the_sandbox_keeps_working()
    {
        var name = _silo.UniqueName("forkbomb");
        await _silo.Client.CreateAsync(name, new SandboxOptions { PidsLimit = 128 });
        var box = _silo.Client.Sandbox(name);

        // Either the timeout fires, or the shell itself cannot fork `sleep` and exits first;
        // both are fine, as long as the bomb dies with the timeout and the sandbox answers.
        try
        {
            await box.ExecAsync("bomb() { bomb | bomb & }; bomb; sleep 30", new ExecOptions { Timeout = TimeSpan.FromSeconds(3) });
        }
        catch (Exception e) when (e is ExecTimeoutException or RpcException)
        {
        }

        var after = await Eventually.WaitAsync(() => ExecUnlessAtPidsLimitAsync(box, "echo alive"), r => r.Stdout == "alive\n", TimeSpan.FromSeconds(30), "the sandbox to answer again after the fork bomb");
        Assert.Equal(0, after.ExitCode);

        // Forks still dying may fill the pids limit for a moment between two probes.
        await Eventually.WaitAsync(
            () => ExecUnlessAtPidsLimitAsync(box, "ps -eo args | grep -c '^/bin/sh -c bomb' || true"),
            r => r.Stdout.Trim() == "0",
            TimeSpan.FromSeconds(30),
            "every fork of the bomb to be killed with its timeout");
    }

    /// <summary>Runs a command, or returns a failed result while the sandbox is at its pids limit.</summary>
    private static async Task<CommandResult> ExecUnlessAtPidsLimitAsync(Sandbox box, string command)
    {
        try
        {
            return await box.ExecAsync(command);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            return new CommandResult(-1, [], [], false, false, 0, TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_kills_the_command_and_the_sandbox_carries_on()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("disconnect"));
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var e in box.ExecStreamAsync("echo ready; exec sleep 1003", cancellationToken: cancel.Token))
            {
                if (e.EventCase == ExecEvent.EventOneofCase.Stdout)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        await Eventually.WaitAsync(
            () => box.ExecAsync("ps -eo args | grep -c '^sleep 1003' || true"),
            r => r.Stdout.Trim() == "0",
            TimeSpan.FromSeconds(10),
            "the abandoned command to be killed");
    }
}
