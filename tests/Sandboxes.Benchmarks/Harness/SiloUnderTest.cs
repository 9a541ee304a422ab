using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using Sandboxes.Client;

namespace Sandboxes.Benchmarks.Harness;

/// <summary>
/// The real silo binary in its own process, as deployed, so its memory can be read from
/// /proc. It gets its own owner label, cluster and folder, and everything it made is
/// removed afterwards.
/// </summary>
public sealed class SiloUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DockerClient _docker;

    private SiloUnderTest(Process process, DockerClient docker, string runId, string dataRoot, string url, string httpUrl, string? adminKey)
    {
        _process = process;
        _docker = docker;
        RunId = runId;
        DataRoot = dataRoot;
        // The silo's bootstrap admin key, written at its first start; a cluster's later hosts
        // find the first host's key in shared storage and write none of their own.
        AdminKey = adminKey ?? File.ReadAllText(Path.Combine(dataRoot, "admin.key")).Trim();
        Client = new SandboxClient(url, AdminKey);
        HttpUrl = httpUrl;
    }

    public string RunId { get; }

    public string Owner => $"sbxbench-{RunId}";

    public string DataRoot { get; }

    public SandboxClient Client { get; }

    /// <summary>The silo's admin key, for anything that calls it outside <see cref="Client"/>.</summary>
    public string AdminKey { get; }

    /// <summary>The silo's HTTP port, where preview URLs are served.</summary>
    public string HttpUrl { get; }

    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts a silo on <paramref name="docker"/>'s engine (which <paramref name="overrides"/>
    /// names as Sandboxes:DockerEndpoint when it is not the product's own); the overrides
    /// win over the defaults, say to join a cluster.
    /// </summary>
    public static async Task<SiloUnderTest> StartAsync(
        DockerClient docker, string image, string agentDirectory, string storage, IReadOnlyDictionary<string, string>? overrides = null, string? adminKey = null)
    {
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var dataRoot = $"/tmp/sbxb-{runId}";
        var url = $"http://127.0.0.1:{FreePort()}";
        var httpUrl = $"http://127.0.0.1:{FreePort()}";
        var siloDll = typeof(SiloUnderTest).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SiloAssembly").Value!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.GetFullPath(siloDll));
        var settings = new Dictionary<string, string>
        {
            ["Sandboxes:DataRoot"] = dataRoot,
            ["Sandboxes:AgentDirectory"] = agentDirectory,
            ["Sandboxes:Owner"] = $"sbxbench-{runId}",
            ["Sandboxes:DefaultImage"] = image,
            ["Sandboxes:StorageConnectionString"] = storage,
            ["Sandboxes:DockerEndpoint"] = BenchmarkRun.DockerEndpoint,
            ["Sandboxes:ClusterId"] = $"sbxbench-{runId}",
            ["Sandboxes:ServiceId"] = $"sbxbench-{runId}",
            ["Sandboxes:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Sandboxes:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Sandboxes:GrpcUrl"] = url,
            ["Sandboxes:HttpUrl"] = httpUrl,
            ["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("SANDBOXES_BENCH_SILO_LOG") ?? "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start)!;
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Sandboxes silo ready", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"silo: {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))) != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("the silo did not print 'Sandboxes silo ready' within 60 s");
        }

        return new SiloUnderTest(process, docker, runId, dataRoot, url, httpUrl, adminKey);
    }

    /// <summary>The silo's resident set size, from /proc.</summary>
    public long ResidentBytes() => ProcMemory.ResidentBytes(_process.Id);

    public async Task<string> ContainerIdAsync(string sandbox)
    {
        var found = await _docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"sandboxes.owner={Owner}"] = true, [$"sandboxes.sandbox={sandbox}"] = true },
            },
        });
        return found.Single().ID;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        var owned = await _docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"sandboxes.owner={Owner}"] = true } },
        });
        await Parallel.ForEachAsync(owned, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, ct) =>
        {
            try
            {
                await _docker.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true }, ct);
            }
            catch (DockerContainerNotFoundException)
            {
                // A removal the engine was still doing for the silo when it was killed.
            }
        });
        if (Directory.Exists(DataRoot))
        {
            // The silo mounts a small tmpfs over each sandbox's socket folder; containers removed
            // here, not through the silo, leave theirs.
            foreach (var point in File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(p => p.StartsWith(DataRoot + "/", StringComparison.Ordinal)))
            {
                using var umount = System.Diagnostics.Process.Start("umount", ["-l", point]);
                await umount.WaitForExitAsync();
            }

            Directory.Delete(DataRoot, recursive: true);
        }

        Client.Dispose();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
