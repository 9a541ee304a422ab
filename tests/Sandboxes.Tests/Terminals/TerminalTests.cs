using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Terminals;

/// <summary>Terminals on real pseudo-terminals in real sandboxes, over gRPC and over the WebSocket.</summary>
[Collection(SiloCollection.Name)]
public sealed class TerminalTests(SiloFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestSilo _silo = fixture.Silo;

    /// <summary>Reads the terminal's output until <paramref name="expected"/> appears in it.</summary>
    private static async Task<string> ReadUntilAsync(IAsyncEnumerator<ReadOnlyMemory<byte>> output, StringBuilder seen, string expected)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!seen.ToString().Contains(expected, StringComparison.Ordinal))
        {
            if (!await output.MoveNextAsync().AsTask().WaitAsync(timeout.Token))
            {
                throw new InvalidOperationException($"the terminal ended before '{expected}'; it printed: {seen}");
            }

            seen.Append(Encoding.UTF8.GetString(output.Current.Span));
        }

        return seen.ToString();
    }

    [Fact]
    public async Task A_terminal_runs_a_shell_on_a_real_tty_that_resizes_and_exits_with_its_status()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("term"));
        await using var terminal = await box.OpenTerminalAsync(new TerminalOptions { Cols = 100, Rows = 30 });
        await using var output = terminal.ReadAsync().GetAsyncEnumerator();
        var seen = new StringBuilder();

        await terminal.WriteAsync("tty; stty size; echo hello-$((6*7))\r");
        var text = await ReadUntilAsync(output, seen, "hello-42");
        Assert.Contains("/dev/pts/", text, StringComparison.Ordinal);
        Assert.Contains("30 100", text, StringComparison.Ordinal);

        await terminal.ResizeAsync(132, 40);
        await terminal.WriteAsync("stty size\r");
        await ReadUntilAsync(output, seen, "40 132");

        await terminal.WriteAsync("exit 7\r");
        while (await output.MoveNextAsync())
        {
        }

        Assert.Equal(7, terminal.Exit?.ExitCode);
    }

    [Fact]
    public async Task Ten_megabytes_through_the_pty_arrive_whole_and_in_order()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("term"));
        var text = new StringBuilder();
        for (var i = 0; text.Length < 10 * 1024 * 1024; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i:D10} {Convert.ToHexString(BitConverter.GetBytes(i * 2654435761L))} line of the big cat\n");
        }

        var content = Encoding.ASCII.GetBytes(text.ToString(0, 10 * 1024 * 1024));
        await box.Files.WriteAsync("/tmp/big.txt", content);
        await using var terminal = await box.OpenTerminalAsync();
        var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // Raw mode: the terminal passes the bytes untouched (no \n -> \r\n), so they can be compared.
        await terminal.WriteAsync("stty raw -echo; printf 'BEGIN\\n'; cat /tmp/big.txt; printf 'END\\n'; exit\r", timeout.Token);
        await foreach (var chunk in terminal.ReadAsync(timeout.Token))
        {
            received.Write(chunk.Span);
        }

        var all = received.ToArray();
        var begin = all.AsSpan().IndexOf("BEGIN\n"u8);
        var end = all.AsSpan().LastIndexOf("END\n"u8);
        Assert.True(begin >= 0 && end > begin, $"markers not found in {all.Length} bytes");
        var body = all.AsSpan(begin + 6, end - begin - 6);
        Assert.Equal(content.Length, body.Length);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(body));
    }

    [Fact]
    public async Task Several_viewers_share_one_terminal_and_a_late_one_sees_the_recent_screen()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("term"));
        await using var first = await box.OpenTerminalAsync(new TerminalOptions { Id = "shared" });
        await using var firstOutput = first.ReadAsync().GetAsyncEnumerator();
        var firstSeen = new StringBuilder();
        await first.WriteAsync("echo before-$((1+1))\r");
        await ReadUntilAsync(firstOutput, firstSeen, "before-2");

        await using var second = await box.AttachTerminalAsync("shared");
        await using var secondOutput = second.ReadAsync().GetAsyncEnumerator();
        var secondSeen = new StringBuilder();
        await ReadUntilAsync(secondOutput, secondSeen, "before-2");

        await second.WriteAsync("echo typed-by-the-second-$((2+2))\r");
        await ReadUntilAsync(firstOutput, firstSeen, "typed-by-the-second-4");
        await ReadUntilAsync(secondOutput, secondSeen, "typed-by-the-second-4");
        var listed = Assert.Single(await box.ListTerminalsAsync());
        Assert.Equal(("shared", 2), (listed.Id, listed.Viewers));

        var taken = await Assert.ThrowsAsync<RpcException>(() => box.OpenTerminalAsync(new TerminalOptions { Id = "shared" }));
        Assert.Equal(StatusCode.AlreadyExists, taken.StatusCode);
        var missing = await Assert.ThrowsAsync<RpcException>(() => box.AttachTerminalAsync("nobody"));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_websocket_speaks_the_xterm_attach_protocol_and_closes_with_the_exit_status()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("term"));
        await box.ExecAsync("true");
        var port = new Uri(_silo.HttpUrl).Port;
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {_silo.AdminKey}");
        using var timeout = new CancellationTokenSource(Bound);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/terminals/{box.Name}?cols=90&rows=20"), timeout.Token);

        await socket.SendAsync("stty size; echo ws-$((40+2))\r"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        var text = await ReceiveUntilAsync(socket, "ws-42", timeout.Token);
        Assert.Contains("20 90", text, StringComparison.Ordinal);

        await socket.SendAsync("""{"type":"resize","cols":120,"rows":33}"""u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        await socket.SendAsync("stty size\r"u8.ToArray(), WebSocketMessageType.Binary, true, timeout.Token);
        await ReceiveUntilAsync(socket, "33 120", timeout.Token);

        await socket.SendAsync("exit 3\r"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        await ReceiveUntilAsync(socket, null, timeout.Token);
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "exit 3"), (socket.CloseStatus, socket.CloseStatusDescription));
    }

    [Fact]
    public async Task A_browser_that_closes_the_websocket_gets_its_close_answered_at_once()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("term"));
        await box.ExecAsync("true");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {_silo.AdminKey}");
        using var timeout = new CancellationTokenSource(Bound);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{new Uri(_silo.HttpUrl).Port}/terminals/{box.Name}"), timeout.Token);
        await ReceiveUntilAsync(socket, "# ", timeout.Token);

        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "tab closed", closing.Token);

        Assert.Equal((WebSocketState.Closed, WebSocketCloseStatus.NormalClosure), (socket.State, socket.CloseStatus));
    }

    [Fact]
    public async Task The_websocket_needs_a_valid_api_key_and_no_longer_takes_a_token()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("term"));
        using var http = new HttpClient();
        var port = new Uri(_silo.HttpUrl).Port;

        var none = await http.GetAsync($"http://127.0.0.1:{port}/terminals/{box.Name}");
        var inQuery = await http.GetAsync($"http://127.0.0.1:{port}/terminals/{box.Name}?token={_silo.AdminKey}");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/terminals/{box.Name}");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sbx_0123456789abcdef_" + new string('0', 64));
        var wrongKey = await http.SendAsync(wrong);

        Assert.Equal(
            (HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized),
            (none.StatusCode, inQuery.StatusCode, wrongKey.StatusCode));
        Assert.Contains("API key", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_of_another_origin_cannot_open_a_terminal_even_with_a_key()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("term"));
        var port = new Uri(_silo.HttpUrl).Port;
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {_silo.AdminKey}");

        // What a hostile preview page would do from http://8000-x-token.preview.localhost:PORT.
        socket.Options.SetRequestHeader("Origin", $"http://8000-evil-0123456789abcdef.preview.localhost:{port}");
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/terminals/{box.Name}"), CancellationToken.None));

        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sbx_shell_runs_what_it_is_given_and_exits_with_the_shells_status()
    {
        var name = _silo.UniqueName("term");

        var shell = await new CliRunner(_silo).RunAsync(["shell", name], CliRunner.Utf8("echo cli-$((1+2))\nexit 4\n"));

        Assert.Equal(4, shell.ExitCode);
        Assert.Contains("cli-3", shell.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Binary frames until the text appears, or (null) until the server closes.</summary>
    [Fact]
    public async Task An_endless_websocket_message_is_closed_as_too_big_instead_of_filling_the_silos_memory()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("termbig"));
        await box.ExecAsync("true");
        var port = new Uri(_silo.HttpUrl).Port;
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {_silo.AdminKey}");
        using var timeout = new CancellationTokenSource(Bound);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/terminals/{box.Name}"), timeout.Token);

        // Fragments of one message that never ends, well past the cap; the silo closes first.
        var fragment = new byte[64 * 1024];
        var sent = 0;
        try
        {
            while (sent < 4 * Silo.Terminals.TerminalSocket.MaxMessageBytes && socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(fragment, WebSocketMessageType.Binary, endOfMessage: false, timeout.Token);
                sent += fragment.Length;
            }
        }
        catch (WebSocketException)
        {
            // The silo closed while fragments were still going out.
        }

        await ReceiveUntilAsync(socket, null, timeout.Token);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
    }

    private static async Task<string> ReceiveUntilAsync(ClientWebSocket socket, string? expected, CancellationToken cancellationToken)
    {
        var seen = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (expected is null || !seen.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                Assert.Null(expected);
                break;
            }

            Assert.Equal(WebSocketMessageType.Binary, received.MessageType);
            seen.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
        }

        return seen.ToString();
    }
}
