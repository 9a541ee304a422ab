using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Exec;

/// <summary>
/// The message size limits hold end to end (caller, silo, agent): input within them reaches
/// the command whole, and input past them fails the call loudly. A command never runs on
/// part of its input as if it were all of it.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class ExecInputLimitTests(SiloFixture fixture)
{
    private const int MiB = 1 << 20;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task A_20_MiB_stdin_message_and_the_messages_after_it_reach_the_command_whole()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("bigstdin"));
        using var cancel = new CancellationTokenSource(Bound);
        await using var exec = box.StartExec("wc -c", cancellationToken: cancel.Token);

        // Over the agent's old 16 MiB limit, under the silo's 64 MiB: the agent once dropped
        // it, and every message after it, and the command ended OK on no input.
        await exec.WriteStdinAsync(new byte[20 * MiB], cancel.Token);
        await exec.WriteStdinAsync("tail\n"u8.ToArray(), cancel.Token);
        await exec.CloseStdinAsync();
        var (stdout, exit) = await DrainAsync(exec);

        Assert.Equal($"{(20 * MiB) + 5}\n", stdout);
        Assert.Equal(0, exit?.ExitCode);
    }

    [Fact]
    public async Task A_stdin_message_over_64_MiB_fails_the_stream_with_resource_exhausted_and_kills_the_command()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("hugestdin"));
        await box.ExecAsync("true");
        using var channel = UnlimitedChannel();
        using var cancel = new CancellationTokenSource(Bound);
        using var call = new Protocol.Exec.ExecClient(channel).Stream(cancellationToken: cancel.Token);
        var start = new ExecRequest { Sandbox = box.Name, Command = "wc -c > /tmp/count && mv /tmp/count /tmp/counted" };
        await call.RequestStream.WriteAsync(new ExecInput { Start = start }, cancel.Token);

        // The silo refuses the message from its header and never reads the rest, so this
        // write may never finish; the call's outcome is what counts.
        var write = call.RequestStream.WriteAsync(new ExecInput { Stdin = ByteString.CopyFrom(new byte[(64 * MiB) + 1]) }, cancel.Token);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var e in call.ResponseStream.ReadAllAsync(cancel.Token))
            {
                Assert.NotEqual(ExecEvent.EventOneofCase.Exit, e.EventCase);
            }
        });
        await write.ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.False(cancel.IsCancellationRequested, "the call ended by itself, not by the test's bound");
        await Eventually.WaitAsync(
            () => box.ExecAsync("ps -eo args | grep -c '^wc -c$\\|^/bin/sh -c wc -c' || true; cat /tmp/counted 2>/dev/null || echo none"),
            r => r.Stdout == "0\nnone\n",
            TimeSpan.FromSeconds(30),
            "the command to be killed before it counted any input");
    }

    [Fact]
    public async Task Run_with_50_MiB_of_stdin_gives_the_command_every_byte()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("runstdin"));

        // Between Kestrel's default body limit (30,000,000 bytes) and the 64 MiB message limit.
        var result = await box.ExecAsync("wc -c", new ExecOptions { Stdin = new byte[50 * MiB] });

        Assert.Equal($"{50 * MiB}\n", result.Stdout);
    }

    [Fact]
    public async Task Run_with_a_request_over_64_MiB_is_resource_exhausted()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("runhuge"));
        using var channel = UnlimitedChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => new Protocol.Exec.ExecClient(channel).RunAsync(
            new ExecRequest { Sandbox = box.Name, Command = "wc -c", Stdin = ByteString.CopyFrom(new byte[(64 * MiB) + 1]) }).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_command_over_the_kernels_128_KiB_argument_limit_is_invalid_argument_suggesting_a_script(bool streamed)
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("longcmd"));
        var command = "echo " + new string('x', 200 * 1024);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            if (streamed)
            {
                await foreach (var _ in box.ExecStreamAsync(command))
                {
                }
            }
            else
            {
                await box.ExecAsync(command);
            }
        });

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("128 KiB", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("script", error.Status.Detail, StringComparison.Ordinal);
    }

    private static async Task<(string Stdout, ExitStatus? Exit)> DrainAsync(ExecSession exec)
    {
        var stdout = new System.Text.StringBuilder();
        ExitStatus? exit = null;
        await foreach (var e in exec.Events)
        {
            if (e.EventCase == ExecEvent.EventOneofCase.Stdout)
            {
                stdout.Append(e.Stdout.ToStringUtf8());
            }
            else if (e.EventCase == ExecEvent.EventOneofCase.Exit)
            {
                exit = e.Exit;
            }
        }

        return (stdout.ToString(), exit);
    }

    /// <summary>A client that sends past the contract's limits, as a careless or hostile one would.</summary>
    private GrpcChannel UnlimitedChannel() => _silo.Channel(new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
}
