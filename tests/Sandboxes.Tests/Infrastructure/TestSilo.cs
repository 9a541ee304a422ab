using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sandboxes.Client;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Tests.Infrastructure;

/// <summary>
/// A real silo in this process: real Orleans with Azure Table storage on Azurite, a real
/// Docker engine, the real agent. Each instance has its own owner label, cluster and
/// folder, and removes every container it made when disposed.
/// </summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Lock _clientLock = new();
    private WebApplication? _app;
    private SandboxClient? _client;

    public TestSilo(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        RunId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        Owner = $"sbxtest-{RunId}";
        DataRoot = Path.Combine("/tmp", $"sbxt-{RunId}");
        GrpcUrl = $"http://127.0.0.1:{FreePorts.Next()}";
        _settings = new Dictionary<string, string?>
        {
            ["Sandboxes:DataRoot"] = DataRoot,
            ["Sandboxes:AgentDirectory"] = TestEnvironment.AgentDirectory,
            ["Sandboxes:Owner"] = Owner,
            ["Sandboxes:DefaultImage"] = TestEnvironment.Image,
            ["Sandboxes:DefaultMemoryBytes"] = (512L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sandboxes:StorageConnectionString"] = TestEnvironment.StorageConnectionString,
            ["Sandboxes:DockerEndpoint"] = TestEnvironment.DockerEndpoint,
            ["Sandboxes:ClusterId"] = Owner,
            ["Sandboxes:ServiceId"] = Owner,
            ["Sandboxes:SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sandboxes:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sandboxes:GrpcUrl"] = GrpcUrl,
            ["Sandboxes:HttpUrl"] = $"http://127.0.0.1:{FreePorts.Next()}",

            // Warm interpreters cost each new sandbox about half a CPU-second; only the code
            // interpreter's own silo (CodeInterpreterFixture) pays for them.
            ["Sandboxes:CodePrestart"] = "none",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Sandboxes"] = "Information",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        GrpcUrl = _settings["Sandboxes:GrpcUrl"]!;
        HttpUrl = _settings["Sandboxes:HttpUrl"]!;

        Docker = new DockerClientBuilder().WithEndpoint(new Uri(_settings["Sandboxes:DockerEndpoint"]!)).Build();
    }

    public string RunId { get; }

    /// <summary>
    /// The silo's bootstrap admin key, as its first start wrote it to DataRoot/admin.key (read
    /// once the silo, in this process or as a child process, has started).
    /// </summary>
    public string AdminKey => File.ReadAllText(Path.Combine(DataRoot, "admin.key")).Trim();

    /// <summary>A raw gRPC channel to the silo whose calls carry the admin key, for tests that bypass the SDK.</summary>
    public GrpcChannel Channel(GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        var key = AdminKey;
        options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", $"Bearer {key}");
            return Task.CompletedTask;
        }));
        options.UnsafeUseInsecureChannelCallCredentials = true;
        return GrpcChannel.ForAddress(GrpcUrl, options);
    }

    /// <summary>The silo's configuration, for running it as a separate process too.</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    public string Owner { get; }

    public string DataRoot { get; }

    public string GrpcUrl { get; }

    /// <summary>The silo's HTTP port: preview URLs.</summary>
    public string HttpUrl { get; }

    /// <summary>A client with the admin key, made at first use (after the silo started).</summary>
    public SandboxClient Client
    {
        get
        {
            lock (_clientLock)
            {
                return _client ??= new SandboxClient(GrpcUrl, AdminKey);
            }
        }
    }

    public DockerClient Docker { get; }

    /// <summary>The running silo's grain factory, for tests that poke Orleans directly.</summary>
    /// <summary>The running silo's services, for tests that must reach under the API (say, storage written by an older build).</summary>
    public IServiceProvider Services => (_app ?? throw new InvalidOperationException("the silo is not running")).Services;

    public IGrainFactory Grains => (_app ?? throw new InvalidOperationException("the silo is not running")).Services.GetRequiredService<IGrainFactory>();

    public async Task StartAsync()
    {
        _app = SandboxesSilo.Build([], builder => builder.Configuration.AddInMemoryCollection(_settings));
        try
        {
            await _app.StartAsync();
        }
        catch
        {
            // A silo that refused to start (a settings check) has nothing to stop.
            await _app.DisposeAsync();
            _app = null;
            throw;
        }
    }

    /// <summary>Stops the silo the way a host shutdown would; containers keep running.</summary>
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public string UniqueName(string prefix) => $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    public async Task<IList<ContainerListResponse>> OwnedContainersAsync(string? sandbox = null)
    {
        var labels = new Dictionary<string, bool> { [$"sandboxes.owner={Owner}"] = true };
        if (sandbox is not null)
        {
            labels[$"sandboxes.sandbox={sandbox}"] = true;
        }

        return await Docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels },
        });
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            foreach (var container in await OwnedContainersAsync())
            {
                await Docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
            }

            if (Directory.Exists(DataRoot))
            {
                Sandboxes.Silo.Containers.SocketFolderMount.UnmountAllUnder(DataRoot);
                Directory.Delete(DataRoot, recursive: true);
            }

            _client?.Dispose();
            Docker.Dispose();
        }
    }
}
