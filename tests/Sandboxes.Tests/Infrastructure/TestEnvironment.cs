using System.Reflection;

namespace Sandboxes.Tests.Infrastructure;

/// <summary>Where the test run finds what ./test.sh prepared, with messages saying how to fix a gap.</summary>
public static class TestEnvironment
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The published sandboxd; ./test.sh publishes it here.</summary>
    public static string AgentDirectory =>
        Environment.GetEnvironmentVariable("SANDBOXES_AGENT_DIR") ?? Path.Combine(RepositoryRoot, "artifacts", "agent");

    public static string Image => Environment.GetEnvironmentVariable("SANDBOXES_IMAGE") ?? "sandboxes/sandbox:latest";

    /// <summary>The product's own engine; .ci/test-host.sh exports it as DOCKER_HOST.</summary>
    public static string DockerEndpoint =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : "unix:///var/run/docker.sock";

    /// <summary>
    /// The engines of the multi-host tests, one per host (.ci/test-host.sh starts them and
    /// exports SANDBOXES_TEST_ENGINES): each host of a cluster owns its own engine.
    /// </summary>
    public static IReadOnlyList<string> ClusterEngines =>
        Environment.GetEnvironmentVariable("SANDBOXES_TEST_ENGINES")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 3 } engines
            ? engines
            : throw new InvalidOperationException("the multi-host tests need three engines in SANDBOXES_TEST_ENGINES; run them through ./test.sh, which prepares them (.ci/test-host.sh)");

    public static string StorageConnectionString =>
        Environment.GetEnvironmentVariable("SANDBOXES_STORAGE") ?? "UseDevelopmentStorage=true";

    /// <summary>sbx.dll in the CLI's own build output, recorded at build time.</summary>
    public static string CliAssembly { get; } = Path.GetFullPath(
        typeof(TestEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SbxAssembly").Value!);

    /// <summary>The silo's own build output, for tests that run it as a process and kill it.</summary>
    public static string SiloAssembly { get; } = Path.GetFullPath(
        typeof(TestEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SiloAssembly").Value!);

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sandboxes.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("cannot find Sandboxes.sln above the test binaries");
    }
}
