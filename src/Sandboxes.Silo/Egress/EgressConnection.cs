using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Sandboxes.Networking;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// One connection from a sandbox to the egress proxy: an HTTP proxy request, either
/// <c>CONNECT host:port</c> (a tunnel, used for https and git) or a plain http request in
/// absolute form. The destination is checked by the policy, then bytes flow both ways.
/// Plain requests are forwarded one per connection (<c>Connection: close</c>), which keeps the
/// proxy from having to follow a keep-alive stream that could switch hosts between requests.
/// </summary>
public sealed class EgressConnection(string sandbox, Socket client, EgressPolicy policy, EgressOptions options, EgressLog log)
{
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Proxy-Authenticate", "TE", "Trailer" };

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var _ = client;
        HttpHead? head;
        try
        {
            using var headTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            headTimeout.CancelAfter(HeadTimeout);
            head = await HttpHead.ReadAsync(client, default, headTimeout.Token);
        }
        catch (FormatException e)
        {
            await RespondAsync(HttpStatusCode.BadRequest, e.Message, cancellationToken);
            return;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await RespondAsync(HttpStatusCode.RequestTimeout, $"no whole request head within {HeadTimeout.TotalSeconds:0} s", cancellationToken);
            return;
        }

        if (head is null)
        {
            return;
        }

        if (!ProxyRequest.TryParse(head, out var request, out var problem))
        {
            log.Denied(sandbox, "(malformed)", 0, problem);
            await RespondAsync(HttpStatusCode.BadRequest, problem, cancellationToken);
            return;
        }

        var (host, port) = (request.Host, request.Port);
        var decision = await policy.DecideAsync(host, port, cancellationToken);
        if (!decision.Allowed)
        {
            log.Denied(sandbox, host, port, decision.Denial!);
            await RespondAsync(HttpStatusCode.Forbidden, $"egress denied: {decision.Denial}", cancellationToken);
            return;
        }

        // The addresses the policy checked, and no others: connecting by name would resolve it again.
        var (upstream, error) = await ConnectAsync(decision.Addresses, port, cancellationToken);
        if (upstream is null)
        {
            await RespondAsync(HttpStatusCode.BadGateway, $"could not connect to {EgressHost.Authority(host, port)}: {error}", cancellationToken);
            return;
        }

        using var __ = upstream;

        log.Opened(sandbox, host, port, request.Method);
        if (request.IsTunnel)
        {
            await client.SendAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), cancellationToken);
            await upstream.SendAsync(head.Rest, cancellationToken);
            await BytePump.BothWaysAsync(client, upstream, cancellationToken);
        }
        else
        {
            await upstream.SendAsync(OriginRequest(head, request), cancellationToken);
            await upstream.SendAsync(head.Rest, cancellationToken);
            await RelayResponseAsync(upstream, cancellationToken);
        }
    }

    /// <summary>
    /// The client's request in origin form, with the Host header rebuilt from the checked host
    /// and hop-by-hop headers replaced by <c>Connection: close</c>.
    /// </summary>
    private static byte[] OriginRequest(HttpHead head, ProxyRequest request)
    {
        var headers = head.Headers.Where(h => !HopByHop.Contains(h.Key) && !h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)).ToList();
        headers.Insert(0, new("Host", request.HostHeader));
        headers.Add(new("Connection", "close"));
        return HttpHead.Format($"{request.Method} {request.PathAndQuery} HTTP/1.1", headers);
    }

    /// <summary>
    /// Sends the request body on while passing responses back. Final responses get
    /// <c>Connection: close</c>, so the client does not reuse a connection the proxy ends.
    /// </summary>
    private async Task RelayResponseAsync(Socket upstream, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var requestBody = BytePump.OneWayAsync(client, upstream, stop.Token);
        try
        {
            ReadOnlyMemory<byte> leftover = default;
            while (await HttpHead.ReadAsync(upstream, leftover, stop.Token) is { } response)
            {
                var status = response.StartLine.Split(' ', 3) is [_, var code, ..] && int.TryParse(code, out var n) ? n : 0;
                var interim = status is >= 100 and < 200 && status != 101;
                var headers = interim || status == 101 ? response.Headers : response.Headers.Where(h => !HopByHop.Contains(h.Key)).Append(new("Connection", "close"));
                await client.SendAsync(HttpHead.Format(response.StartLine, headers), stop.Token);
                if (!interim)
                {
                    await client.SendAsync(response.Rest, stop.Token);
                    await BytePump.OneWayAsync(upstream, client, stop.Token);
                    break;
                }

                leftover = response.Rest;
            }
        }
        catch (FormatException)
        {
            // Not HTTP from upstream: the client sees the connection close.
        }
        finally
        {
            await stop.CancelAsync();
            await requestBody.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task<(Socket? Socket, string Error)> ConnectAsync(IReadOnlyList<IPAddress> addresses, int port, CancellationToken cancellationToken)
    {
        var error = "no address";
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.ConnectTimeout);
                await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
                return (socket, "");
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                error = e is OperationCanceledException ? $"no answer from {address} within {options.ConnectTimeout.TotalSeconds:0} s" : $"{address}: {e.Message}";
            }
        }

        return (null, error);
    }

    private async Task RespondAsync(HttpStatusCode status, string message, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes($"sandboxes egress proxy: {message}\n");
        var head = HttpHead.Format(
            $"HTTP/1.1 {(int)status} {ReasonPhrases.GetReasonPhrase((int)status)}",
            [new("Content-Type", "text/plain; charset=utf-8"), new("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("Connection", "close"), new("X-Sandboxes-Egress", "refused")]);
        try
        {
            await client.SendAsync(head.Concat(body).ToArray(), cancellationToken);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The client went away; nothing to tell it.
        }
    }
}
