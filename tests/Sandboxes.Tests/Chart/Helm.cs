using System.Diagnostics;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Chart;

/// <summary>
/// The real helm binary, run on charts/sandboxes. .ci/prepare-host.sh installs it (test.sh runs
/// its packages step); a missing helm fails the test with that command, never skips it.
/// </summary>
public static class Helm
{
    public const string InstallCommand = ".ci/prepare-host.sh helm";

    public static string ChartDirectory { get; } = Path.Combine(TestEnvironment.RepositoryRoot, "charts", "sandboxes");

    /// <summary>The values every render needs (the chart refuses to render without them).</summary>
    public const string RequiredValues = """
        secrets:
          storageConnectionString: "DefaultEndpointsProtocol=https;AccountName=sbx;AccountKey=a2V5;EndpointSuffix=core.windows.net"
          clusterSecret: "cluster-secret-for-tests"
        tls:
          secretName: sandboxes-tls
        """;

    public sealed record HelmResult(int ExitCode, string Stdout, string Stderr);

    /// <summary>helm template of the chart as release "sbx", with each values document in turn (later ones win).</summary>
    public static async Task<RenderedChart> TemplateAsync(params string[] values)
    {
        var result = await RunTemplateAsync(values);
        Assert.True(result.ExitCode == 0, $"helm template failed (exit {result.ExitCode}):\n{result.Stderr}");
        return RenderedChart.Parse(result.Stdout);
    }

    public static Task<HelmResult> RunTemplateAsync(params string[] values) =>
        RunWithValuesAsync(["template", "sbx", ChartDirectory, "--namespace", "sandboxes"], values);

    public static Task<HelmResult> LintAsync(params string[] values) =>
        RunWithValuesAsync(["lint", "--strict", ChartDirectory], values);

    private static async Task<HelmResult> RunWithValuesAsync(string[] args, string[] values)
    {
        var files = new List<string>();
        try
        {
            var all = new List<string>(args);
            foreach (var document in values)
            {
                var file = Path.Combine(Path.GetTempPath(), $"sbx-chart-values-{Guid.NewGuid():N}.yaml");
                await File.WriteAllTextAsync(file, document);
                files.Add(file);
                all.Add("--values");
                all.Add(file);
            }

            return await RunAsync(all);
        }
        finally
        {
            files.ForEach(File.Delete);
        }
    }

    private static async Task<HelmResult> RunAsync(IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(FindBinary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Its own empty home: no repositories, plugins or cache of the machine's user.
        var home = Path.Combine(Path.GetTempPath(), "sbx-chart-helm-home");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(home, "config");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(home, "cache");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(home, "data");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"helm {string.Join(' ', args)} did not finish in 30 s");
        }

        return new HelmResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>$SANDBOXES_HELM when set (as for prepare-host.sh), else where prepare-host.sh installs it, else PATH.</summary>
    private static string FindBinary()
    {
        if (Environment.GetEnvironmentVariable("SANDBOXES_HELM") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"SANDBOXES_HELM names {configured}, which does not exist; run {InstallCommand}");
        }

        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "helm"))
            .Prepend("/opt/sandboxes/helm/helm");
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"helm is not installed (looked at /opt/sandboxes/helm/helm and PATH); run {InstallCommand}");
    }
}
