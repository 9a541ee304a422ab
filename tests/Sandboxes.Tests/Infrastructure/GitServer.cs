using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sandboxes.Tests.Infrastructure;

/// <summary>
/// A git server on loopback, made by the test run: a bare repository with two branches and a
/// tag, served by `git daemon` (git://) and by `git http-backend` behind a small HTTP front
/// (http://). Both are stopped and the folder removed when disposed.
/// </summary>
public sealed class GitServer : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sbxt-git-").FullName;
    private readonly HttpListener _http = new();
    private readonly CancellationTokenSource _stop = new();
    private Process? _daemon;
    private Task? _httpLoop;

    public int DaemonPort { get; } = FreePorts.Next();

    public int HttpPort { get; } = FreePorts.Next();

    public string GitUrl => $"git://127.0.0.1:{DaemonPort}/repo.git";

    public string HttpUrl => $"http://127.0.0.1:{HttpPort}/repo.git";

    /// <summary>The commit at the tip of main, and of the "feature" branch.</summary>
    public string MainCommit { get; private set; } = "";

    public string FeatureCommit { get; private set; } = "";

    /// <summary>Requests the HTTP front has served, so tests can see traffic really went there.</summary>
    public int HttpRequests => Volatile.Read(ref _httpRequests);

    private int _httpRequests;

    public async Task StartAsync()
    {
        var work = Path.Combine(_root, "work");
        Directory.CreateDirectory(work);
        await GitAsync(work, "init", "-q", "-b", "main");
        await File.WriteAllTextAsync(Path.Combine(work, "README.md"), "hello from the test repository\n");
        await GitAsync(work, "add", ".");
        await GitAsync(work, "commit", "-q", "-m", "first");
        await File.WriteAllTextAsync(Path.Combine(work, "second.txt"), "second commit\n");
        await GitAsync(work, "add", ".");
        await GitAsync(work, "commit", "-q", "-m", "second");
        await GitAsync(work, "tag", "v1");
        MainCommit = (await GitAsync(work, "rev-parse", "HEAD")).Trim();
        await GitAsync(work, "checkout", "-q", "-b", "feature");
        await File.WriteAllTextAsync(Path.Combine(work, "feature.txt"), "only on the feature branch\n");
        await GitAsync(work, "add", ".");
        await GitAsync(work, "commit", "-q", "-m", "feature");
        FeatureCommit = (await GitAsync(work, "rev-parse", "HEAD")).Trim();
        await GitAsync(_root, "clone", "-q", "--bare", work, Path.Combine(_root, "repo.git"));
        await GitAsync(Path.Combine(_root, "repo.git"), "symbolic-ref", "HEAD", "refs/heads/main");

        _daemon = Process.Start(new ProcessStartInfo("git", ["daemon", "--reuseaddr", "--export-all", $"--base-path={_root}", "--listen=127.0.0.1", $"--port={DaemonPort}", _root])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        await Eventually.WaitAsync(() => Task.FromResult(Answers(DaemonPort) || _daemon.HasExited), up => up, TimeSpan.FromSeconds(20), $"git daemon on 127.0.0.1:{DaemonPort}");
        if (_daemon.HasExited)
        {
            throw new InvalidOperationException($"git daemon exited: {await _daemon.StandardError.ReadToEndAsync()}");
        }

        _http.Prefixes.Add($"http://127.0.0.1:{HttpPort}/");
        _http.Start();
        _httpLoop = ServeHttpAsync();
    }

    private static bool Answers(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task ServeHttpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _http.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _httpRequests);
            _ = Task.Run(() => RunBackendAsync(context));
        }
    }

    /// <summary>One request through git http-backend, as a CGI script.</summary>
    private async Task RunBackendAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var start = new ProcessStartInfo("git", ["http-backend"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["GIT_PROJECT_ROOT"] = _root;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["REQUEST_METHOD"] = request.HttpMethod;
        start.Environment["PATH_INFO"] = request.Url!.AbsolutePath;
        start.Environment["QUERY_STRING"] = request.Url.Query.TrimStart('?');
        start.Environment["CONTENT_TYPE"] = request.ContentType ?? "";
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        start.Environment["GIT_PROTOCOL"] = request.Headers["Git-Protocol"] ?? "";
        using var backend = Process.Start(start)!;
        var body = request.Headers["Content-Encoding"] == "gzip" ? new System.IO.Compression.GZipStream(request.InputStream, System.IO.Compression.CompressionMode.Decompress) : request.InputStream;
        await body.CopyToAsync(backend.StandardInput.BaseStream);
        backend.StandardInput.Close();

        var output = backend.StandardOutput.BaseStream;
        var response = context.Response;
        foreach (var line in await ReadCgiHeadersAsync(output))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                response.StatusCode = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                response.Headers[name] = value;
            }
        }

        await output.CopyToAsync(response.OutputStream);
        await backend.WaitForExitAsync();
        response.Close();
    }

    private static async Task<List<string>> ReadCgiHeadersAsync(Stream output)
    {
        var headers = new List<string>();
        var line = new StringBuilder();
        var one = new byte[1];
        while (await output.ReadAsync(one) == 1)
        {
            if (one[0] == '\n')
            {
                var text = line.ToString().TrimEnd('\r');
                if (text.Length == 0)
                {
                    break;
                }

                headers.Add(text);
                line.Clear();
            }
            else
            {
                line.Append((char)one[0]);
            }
        }

        return headers;
    }

    private static async Task<string> GitAsync(string cwd, params string[] args)
    {
        var start = new ProcessStartInfo("git", args) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "Sandboxes Test";
        start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "test@sandboxes.invalid";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["HOME"] = cwd;
        using var git = Process.Start(start)!;
        var stdout = git.StandardOutput.ReadToEndAsync();
        var stderr = git.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await git.WaitForExitAsync(timeout.Token);
        if (git.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {await stderr}");
        }

        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _http.Close();
        if (_httpLoop is not null)
        {
            await _httpLoop;
        }

        if (_daemon is { HasExited: false })
        {
            _daemon.Kill(entireProcessTree: true);
            await _daemon.WaitForExitAsync();
        }

        _daemon?.Dispose();
        _stop.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
