namespace Sandboxes.Tests.Chart;

/// <summary>
/// charts/sandboxes with values an operator sets: an existing Secret, another data root,
/// limits and capacity, and the values the chart refuses with a message naming what to fix.
/// </summary>
public sealed class ChartValuesTests
{
    [Fact]
    public async Task An_existing_secret_is_used_and_none_is_made()
    {
        var chart = await Helm.TemplateAsync("""
            secrets:
              existingSecret: sandboxes-storage
            tls:
              secretName: sandboxes-tls
            """);

        Assert.DoesNotContain("Secret", chart.Kinds);
        Assert.Equal("sandboxes-storage", (string?)chart.EnvEntry("Sandboxes__StorageConnectionString")["valueFrom"]!["secretKeyRef"]!["name"]);
        Assert.Equal("sandboxes-storage", (string?)chart.EnvEntry("Sandboxes__ClusterSecret")["valueFrom"]!["secretKeyRef"]!["name"]);
        Assert.Null(chart.OfKind("DaemonSet")["spec"]!["template"]!["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task Another_data_root_moves_the_mount_the_setting_and_the_engine_socket_together()
    {
        var chart = await Helm.TemplateAsync(Helm.RequiredValues, "dataRoot: /srv/sandboxes/");
        var pod = chart.OfKind("DaemonSet")["spec"]!["template"]!["spec"]!;

        Assert.Equal("/srv/sandboxes", (string?)pod["volumes"]!.AsArray().Single(v => v!["hostPath"] is not null)!["hostPath"]!["path"]);
        Assert.Contains(chart.SiloContainer["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/srv/sandboxes");
        Assert.Equal("/srv/sandboxes", chart.EnvValue("Sandboxes__DataRoot"));
        Assert.Equal("unix:///srv/sandboxes/engine/docker.sock", chart.EnvValue("Sandboxes__DockerEndpoint"));
    }

    [Fact]
    public async Task Limits_capacity_and_settings_become_configuration_keys_the_silo_binds()
    {
        var chart = await Helm.TemplateAsync(Helm.RequiredValues, """
            image: {repository: registry.example/sandboxes/silo, tag: "1.2.3"}
            limits:
              MaxMemoryBytes: 17179869184
              MaxCpus: 1.5
              AllowedImages: ["sandboxes/*", "python:3.12"]
            capacity: {maxRunningSandboxes: 50, maxConcurrentStarts: 4}
            settings: {DefaultMemoryBytes: 2147483648}
            preview: {baseUrl: "https://preview.example.com"}
            console: {host: console.example.com}
            shutdownTimeoutSeconds: 90
            terminationGracePeriodSeconds: 120
            """);

        Assert.Equal("registry.example/sandboxes/silo:1.2.3", (string?)chart.SiloContainer["image"]);
        // Whole numbers stay whole: helm reads them as floats, and 1.7e+10 would not bind to a long.
        Assert.Equal("17179869184", chart.EnvValue("Limits__MaxMemoryBytes"));
        Assert.Equal("1.5", chart.EnvValue("Limits__MaxCpus"));
        Assert.Equal("sandboxes/*", chart.EnvValue("Limits__AllowedImages__0"));
        Assert.Equal("python:3.12", chart.EnvValue("Limits__AllowedImages__1"));
        Assert.Equal("50", chart.EnvValue("Sandboxes__MaxRunningSandboxes"));
        Assert.Equal("4", chart.EnvValue("Sandboxes__MaxConcurrentStarts"));
        Assert.Equal("2147483648", chart.EnvValue("Sandboxes__DefaultMemoryBytes"));
        Assert.Equal("https://preview.example.com", chart.EnvValue("Preview__BaseUrl"));
        Assert.Equal("console.example.com", chart.EnvValue("Console__Host"));
        Assert.Equal("00:01:30", chart.EnvValue("Sandboxes__ShutdownTimeout"));
    }

    [Fact]
    public async Task Settings_left_empty_are_not_set_so_the_silo_s_defaults_hold()
    {
        var chart = await Helm.TemplateAsync(Helm.RequiredValues);

        foreach (var name in new[] { "Sandboxes__MaxRunningSandboxes", "Sandboxes__MaxConcurrentStarts", "Preview__BaseUrl", "Console__Host", "Auth__RenewAdminKey" })
        {
            Assert.False(chart.HasEnv(name), $"{name} is set although its value is empty");
        }

        Assert.DoesNotContain(chart.Env, e => ((string?)e["name"])!.StartsWith("Limits__", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("shutdownTimeoutSeconds: 40\nterminationGracePeriodSeconds: 40", "terminationGracePeriodSeconds (40) must be larger than shutdownTimeoutSeconds (40)")]
    [InlineData("tls: {secretName: \"\"}", "tls.secretName is required")]
    [InlineData("secrets: {storageConnectionString: \"\"}", "secrets.storageConnectionString is required")]
    [InlineData("secrets: {clusterSecret: \"\"}", "secrets.clusterSecret is required")]
    public async Task Values_that_make_a_broken_silo_are_refused_naming_the_value(string values, string message)
    {
        var result = await Helm.RunTemplateAsync(Helm.RequiredValues, values);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }
}
