using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Api;
using Sandboxes.Silo.Auth;
using Sandboxes.Silo.Cluster;
using Sandboxes.Silo.WebConsole;

namespace Sandboxes.Silo.Terminals;

/// <summary>
/// A terminal over a WebSocket at <c>/terminals/{sandbox}</c> on the silo's HTTP port, in the
/// protocol of xterm.js's attach add-on: binary frames carry the terminal's bytes both ways,
/// text frames carry typed text, and a text frame holding exactly
/// <c>{"type":"resize","cols":C,"rows":R}</c> resizes. When the shell ends the socket closes
/// normally with the reason <c>exit N</c>. Query: <c>attach=ID</c> to join a running terminal,
/// else a new one with <c>id</c>, <c>cols</c>, <c>rows</c>, <c>shell</c>, <c>cwd</c>. The handshake
/// carries an API key: the console's cookie, or <c>authorization: Bearer KEY</c>.
/// </summary>
public static class TerminalSocket
{
    public const string Route = "/terminals/{sandbox}";

    public static async Task HandleAsync(HttpContext context, string sandbox, SandboxConnector connector, ConsoleAccess access, SandboxRouting routing, SiloForwarder forwarder)
    {
        if (await access.AuthenticateAsync(context) is not { } caller)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("an API key is needed: log in to the console, or send the header 'authorization: Bearer KEY'");
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("connect with a WebSocket (for example xterm.js's attach add-on)");
            return;
        }

        if (!SandboxName.IsValid(sandbox))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(SandboxName.Explain(sandbox));
            return;
        }

        // A sandbox on another host: its silo serves the whole WebSocket (and checks the key again).
        if (!ForwardedCall.IsForwarded(context) && routing.Needed)
        {
            var route = await routing.FindAsync(caller.Sandbox(sandbox), context.RequestAborted);
            var failure = route.Refusal?.Message;
            if (route.Owner is { } owner)
            {
                failure = await forwarder.ForwardHttpAsync(context, owner, ForwardedCall.InternalPrefix + context.Request.Path);
            }

            if (failure is not null && !context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync(failure);
            }

            if (!route.IsHere)
            {
                return;
            }
        }

        var first = FirstMessage(sandbox, context.Request.Query);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var cancellationToken = context.RequestAborted;
        try
        {
            await connector.CallOnceAsync(caller.Sandbox(sandbox), async agent =>
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                using var call = agent.Terminals.Connect(cancellationToken: stop.Token);
                await call.RequestStream.WriteAsync(first, stop.Token);
                var input = ForwardInputAsync(socket, call.RequestStream, stop);
                try
                {
                    await foreach (var output in call.ResponseStream.ReadAllAsync(stop.Token))
                    {
                        if (output.OutputCase == TerminalOutput.OutputOneofCase.Data)
                        {
                            await socket.SendAsync(output.Data.Memory, WebSocketMessageType.Binary, endOfMessage: true, stop.Token);
                        }
                        else if (output.OutputCase == TerminalOutput.OutputOneofCase.Exit)
                        {
                            await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, $"exit {output.Exit.ExitCode}");
                            break;
                        }
                    }
                }
                catch (RpcException e)
                {
                    // Closed with its reason here, while the socket is whole: cancelling the
                    // input's pending receive (below) aborts the socket without a reason.
                    await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, $"{e.StatusCode}: {e.Status.Detail}");
                    throw;
                }
                finally
                {
                    // The input side must stop reading the socket before this request ends.
                    await stop.CancelAsync();
                    await input.ContinueWith(_ => { }, TaskScheduler.Default);
                }

                return true;
            });
        }
        catch (Exception e) when (e is RpcException or SandboxException)
        {
            var message = e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, message);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
            // The browser went away.
        }
    }

    private static TerminalInput FirstMessage(string sandbox, IQueryCollection query)
    {
        if (query["attach"].FirstOrDefault() is { Length: > 0 } attach)
        {
            return new TerminalInput { Attach = new AttachTerminal { Sandbox = sandbox, Id = attach } };
        }

        return new TerminalInput
        {
            Open = new OpenTerminal
            {
                Sandbox = sandbox,
                Id = query["id"].FirstOrDefault() ?? "",
                Cols = uint.TryParse(query["cols"].FirstOrDefault(), out var cols) ? cols : 0,
                Rows = uint.TryParse(query["rows"].FirstOrDefault(), out var rows) ? rows : 0,
                Shell = query["shell"].FirstOrDefault() ?? "",
                Cwd = query["cwd"].FirstOrDefault() ?? "",
            },
        };
    }

    /// <summary>The largest message (keystrokes, a paste, a resize) a browser may send.</summary>
    public const int MaxMessageBytes = 1 << 20;

    private static async Task ForwardInputAsync(WebSocket socket, IClientStreamWriter<TerminalInput> agent, CancellationTokenSource stop)
    {
        var cancellationToken = stop.Token;
        var buffer = new byte[16 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    // The browser closed: answer its close at once (the terminal may live on for
                    // another attach, so its output would never end by itself) and stop relaying.
                    await agent.CompleteAsync();
                    using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closed", bounded.Token);
                    await stop.CancelAsync();
                    return;
                }

                // A message arrives in fragments until its end; without a cap, one endless
                // message would hold the silo's memory. A paste is far smaller than this.
                if (message.Length + received.Count > MaxMessageBytes)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"a terminal message holds at most {MaxMessageBytes} bytes", cancellationToken);
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var bytes = message.ToArray();
                message.SetLength(0);
                await agent.WriteAsync(received.MessageType == WebSocketMessageType.Text && TryReadResize(bytes) is { } size
                    ? new TerminalInput { Resize = size }
                    : new TerminalInput { Data = Google.Protobuf.ByteString.CopyFrom(bytes) }, cancellationToken);
            }

            await agent.CompleteAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or RpcException or InvalidOperationException or IOException)
        {
            // The terminal ended or the browser left.
        }
    }

    private static TerminalSize? TryReadResize(byte[] text)
    {
        if (text.Length is 0 or > 200 || text[0] != (byte)'{')
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            return root.TryGetProperty("type", out var type) && type.ValueEquals("resize")
                && root.TryGetProperty("cols", out var cols) && cols.TryGetUInt32(out var c)
                && root.TryGetProperty("rows", out var rows) && rows.TryGetUInt32(out var r)
                ? new TerminalSize { Cols = c, Rows = r }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        // A close reason holds at most 123 bytes.
        var bytes = Encoding.UTF8.GetBytes(reason);
        var fitted = bytes.Length <= 123 ? reason : Encoding.UTF8.GetString(bytes, 0, 120) + "...";
        try
        {
            // A browser that never answers the close is dropped after a while.
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseAsync(status, fitted, bound.Token);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
