using Grpc.Net.Client;
using Sandboxes.Protocol;
using SandboxesService = Sandboxes.Protocol.Sandboxes;

namespace Sandboxes.Client;

/// <summary>
/// Entry point of the SDK: one client per process, shared by all threads.
/// <code>
/// using var client = new SandboxClient();
/// var box = client.Sandbox("my-box");
/// var result = await box.ExecAsync("python3 -c 'print(1)'");
/// </code>
/// </summary>
public sealed class SandboxClient : IDisposable
{
    /// <summary>The server used when none is given and SANDBOXES_URL is not set.</summary>
    public const string DefaultUrl = "http://127.0.0.1:50051";

    private readonly GrpcChannel _channel;
    private readonly bool _ownsChannel;

    /// <param name="url">The silo's gRPC address; defaults to SANDBOXES_URL, then <see cref="DefaultUrl"/>.</param>
    /// <param name="apiKey">The API key; defaults to SANDBOXES_API_KEY, then a readable $SANDBOXES_HOME/admin.key (see <see cref="ApiKeySource"/>).</param>
    public SandboxClient(string? url = null, string? apiKey = null)
        : this(Connect(url ?? Environment.GetEnvironmentVariable("SANDBOXES_URL") ?? DefaultUrl, apiKey), ownsChannel: true)
    {
    }

    /// <summary>A client on a channel of your own, which must send the API key itself (for example with call credentials).</summary>
    public SandboxClient(GrpcChannel channel)
        : this(channel, ownsChannel: false)
    {
    }

    private SandboxClient(GrpcChannel channel, bool ownsChannel)
    {
        _channel = channel;
        _ownsChannel = ownsChannel;
        Lifecycle = new SandboxesService.SandboxesClient(channel);
        Exec = new Exec.ExecClient(channel);
        Files = new Files.FilesClient(channel);
        Processes = new Processes.ProcessesClient(channel);
        Sessions = new Sessions.SessionsClient(channel);
        Watches = new Watches.WatchesClient(channel);
        Git = new Git.GitClient(channel);
        Ports = new Ports.PortsClient(channel);
        Terminals = new Terminals.TerminalsClient(channel);
        CodeInterpreter = new CodeInterpreter.CodeInterpreterClient(channel);
        Keys = new SandboxKeys(new Protocol.Keys.KeysClient(channel));
        Hosts = new SandboxHosts(new Protocol.Hosts.HostsClient(channel));
    }

    internal SandboxesService.SandboxesClient Lifecycle { get; }

    internal Exec.ExecClient Exec { get; }

    internal Files.FilesClient Files { get; }

    internal Processes.ProcessesClient Processes { get; }

    internal Sessions.SessionsClient Sessions { get; }

    internal Watches.WatchesClient Watches { get; }

    internal Git.GitClient Git { get; }

    internal Ports.PortsClient Ports { get; }

    internal Terminals.TerminalsClient Terminals { get; }

    internal CodeInterpreter.CodeInterpreterClient CodeInterpreter { get; }

    /// <summary>API keys: make, list and revoke them (admin keys only).</summary>
    public SandboxKeys Keys { get; }

    /// <summary>The cluster's hosts (admin keys only).</summary>
    public SandboxHosts Hosts { get; }

    /// <summary>
    /// A handle to the sandbox with this name. No call is made: the first command or file
    /// operation creates the sandbox with defaults if it does not exist.
    /// </summary>
    public Sandbox Sandbox(string name) => new(this, name);

    /// <summary>Creates the sandbox with these options, or returns the existing one unchanged.</summary>
    public Task<Sandbox> CreateAsync(string name, SandboxOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateAsync(name, options, host: null, cancellationToken);

    /// <summary>
    /// Creates the sandbox with these options, on <paramref name="host"/> when that host has room
    /// (a hint; null lets the cluster choose), or returns the existing one unchanged.
    /// </summary>
    public async Task<Sandbox> CreateAsync(string name, SandboxOptions? options, string? host, CancellationToken cancellationToken = default)
    {
        await Lifecycle.CreateAsync(new CreateSandboxRequest { Name = name, Options = options ?? new SandboxOptions(), Host = host ?? "" }, cancellationToken: cancellationToken);
        return Sandbox(name);
    }

    /// <summary>
    /// Lists every sandbox, optionally only those carrying every given label, asking for one
    /// page after another. Environment values are never returned, only <c>EnvNames</c>.
    /// </summary>
    public async Task<IReadOnlyList<SandboxInfo>> ListAsync(IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        var all = new List<SandboxInfo>();
        var token = "";
        do
        {
            var page = await ListPageAsync(labels, pageSize: 0, token, cancellationToken);
            all.AddRange(page.Sandboxes);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return all;
    }

    /// <summary>
    /// One page of sandboxes: up to <paramref name="pageSize"/> (0 means the server's 100, at most
    /// 1000), from <paramref name="pageToken"/> (empty for the first page). The response's
    /// <c>NextPageToken</c> is empty on the last page.
    /// </summary>
    public async Task<ListSandboxesResponse> ListPageAsync(IReadOnlyDictionary<string, string>? labels, int pageSize, string? pageToken, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pageSize);
        var request = new ListSandboxesRequest { PageSize = (uint)pageSize, PageToken = pageToken ?? "" };
        if (labels is not null)
        {
            foreach (var (key, value) in labels)
            {
                request.Labels[key] = value;
            }
        }

        return await Lifecycle.ListAsync(request, cancellationToken: cancellationToken);
    }

    public void Dispose()
    {
        if (_ownsChannel)
        {
            _channel.Dispose();
        }
    }

    private static GrpcChannel Connect(string url, string? apiKey) => CreateChannel(url, ApiKeySource.Find(apiKey, new Uri(url)));

    private static GrpcChannel CreateChannel(string url, string? apiKey)
    {
        HttpMessageHandler handler = new SocketsHttpHandler
        {
            InitialHttp2StreamWindowSize = 8 << 20,
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        return GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 64 << 20,
            MaxSendMessageSize = 64 << 20,

            // Without a key calls still go out, and the silo's UNAUTHENTICATED says how to pass one.
            HttpHandler = apiKey is null ? handler : new ApiKeyHandler(apiKey, handler),
        });
    }
}
