using System.Net;
using System.Net.Sockets;
using Sandboxes.Benchmarks.Harness;
using Sandboxes.Client;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>
/// A GET of a small file from a server in the sandbox: through its preview URL (the silo's
/// HTTP port, YARP, a connection handed over by sandboxd), against the same request on a
/// connection made inside the sandbox's own network namespace. Same client, same server.
/// </summary>
public sealed class PreviewBenchmark : IBenchmark
{
    private const int Port = 8000;

    public string Title => "preview";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var proxied = context.Metric("preview_request", "ms", "GET 1 KB through the preview URL (silo HTTP port, YARP)");
        var direct = context.Metric("preview_direct_request", "ms", "the same GET on a connection inside the sandbox's network namespace");
        var box = context.Client.Sandbox(context.NewSandboxName("preview"));
        await box.Files.WriteAsync("/srv/site/small.txt", new byte[1024], new WriteFileOptions { MakeParents = true }, cancellationToken);
        await box.Processes.StartAsync(["python3", "-m", "http.server", $"{Port}", "--bind", "127.0.0.1", "--directory", "/srv/site"], new StartProcessOptions { Id = "site" }, cancellationToken);
        await box.Processes.WaitForPortAsync("site", Port, TimeSpan.FromSeconds(30), cancellationToken: cancellationToken);
        var previewUrl = (await box.ExposePortAsync(Port, cancellationToken: cancellationToken)).Url + "small.txt";
        var handoff = Path.Combine(context.Silo.DataRoot, "boxes", box.Name, "handoff.sock");
        var siloPort = new Uri(context.Silo.HttpUrl).Port;

        using var throughPreview = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, siloPort), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        using var inside = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) => new NetworkStream(await SandboxNetwork.ConnectAsync(handoff, Port, ct), ownsSocket: true),
        });

        var warmUp = new Samples("warm-up", "ms", "");
        for (var block = -1; block < context.Settings.PreviewBlocks; block++)
        {
            var counted = block >= 0;
            for (var i = 0; i < context.Settings.PreviewBlockSize; i++)
            {
                await BenchContext.TimeAsync(counted ? proxied : warmUp, () => GetAsync(throughPreview, previewUrl, cancellationToken));
            }

            for (var i = 0; i < context.Settings.PreviewBlockSize; i++)
            {
                await BenchContext.TimeAsync(counted ? direct : warmUp, () => GetAsync(inside, $"http://127.0.0.1:{Port}/small.txt", cancellationToken));
            }
        }

        await box.DestroyAsync(cancellationToken);
    }

    private static async Task GetAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        var body = await client.GetByteArrayAsync(url, cancellationToken);
        if (body.Length != 1024)
        {
            throw new InvalidOperationException($"expected 1024 bytes, got {body.Length}");
        }
    }
}
