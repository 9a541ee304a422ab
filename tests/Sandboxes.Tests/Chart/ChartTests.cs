using System.Globalization;

namespace Sandboxes.Tests.Chart;

/// <summary>
/// charts/sandboxes as helm renders it with its default values: one silo per node on the
/// node's disk and engine, reachable through a Service, its secrets and certificate wired in.
/// </summary>
public sealed class ChartTests
{
    // One render serves every test here: they read the same output.
    private static readonly Lazy<Task<RenderedChart>> Defaults = new(() => Helm.TemplateAsync(Helm.RequiredValues));

    [Fact]
    public async Task Defaults_render_a_daemonset_a_service_and_the_secret()
    {
        var chart = await Defaults.Value;

        Assert.Equal(["DaemonSet", "Secret", "Service"], chart.Kinds.Order());
    }

    [Fact]
    public async Task Lint_passes_in_strict_mode()
    {
        var lint = await Helm.LintAsync(Helm.RequiredValues);

        Assert.True(lint.ExitCode == 0, $"helm lint --strict failed:\n{lint.Stdout}\n{lint.Stderr}");
    }

    [Fact]
    public async Task The_silo_runs_on_its_node_s_disk_and_talks_to_its_node_s_engine()
    {
        var chart = await Defaults.Value;
        var pod = chart.OfKind("DaemonSet")["spec"]!["template"]!["spec"]!;
        var volume = pod["volumes"]!.AsArray().Single(v => v!["hostPath"] is not null)!;
        var mount = chart.SiloContainer["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == (string?)volume["name"])!;

        Assert.Equal("/var/lib/sandboxes", (string?)volume["hostPath"]!["path"]);
        // The engine on the node bind-mounts the paths the silo names, so both see one path.
        Assert.Equal("/var/lib/sandboxes", (string?)mount["mountPath"]);
        Assert.Equal("/var/lib/sandboxes", chart.EnvValue("Sandboxes__DataRoot"));
        Assert.Equal("unix:///var/lib/sandboxes/engine/docker.sock", chart.EnvValue("Sandboxes__DockerEndpoint"));
        Assert.Null(mount["readOnly"]);
        Assert.Equal("false", (string?)chart.SiloContainer["securityContext"]!["privileged"]);
        Assert.Equal("0", (string?)chart.SiloContainer["securityContext"]!["runAsUser"]);
    }

    [Fact]
    public async Task Each_silo_knows_its_node_and_its_own_address()
    {
        var chart = await Defaults.Value;

        Assert.Equal("spec.nodeName", (string?)chart.EnvEntry("Sandboxes__HostName")["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("status.podIP", (string?)chart.EnvEntry("POD_IP")["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("$(POD_IP)", chart.EnvValue("Sandboxes__AdvertisedAddress"));
        Assert.Equal("https://$(POD_IP):50051", chart.EnvValue("Sandboxes__PeerGrpcUrl"));
        Assert.Equal("https://$(POD_IP):50080", chart.EnvValue("Sandboxes__PeerHttpUrl"));

        // Kubernetes expands $(POD_IP) only from entries listed before the one that uses it.
        var names = chart.Env.Select(e => (string?)e["name"]).ToList();
        foreach (var user in chart.Env.Where(e => ((string?)e["value"])?.Contains("$(POD_IP)") == true))
        {
            Assert.True(names.IndexOf("POD_IP") < names.IndexOf((string?)user["name"]), $"POD_IP must come before {user["name"]}");
        }

        Assert.Equal("https://0.0.0.0:50051", chart.EnvValue("Sandboxes__GrpcUrl"));
        Assert.Equal("https://0.0.0.0:50080", chart.EnvValue("Sandboxes__HttpUrl"));
        Assert.Equal("11111", chart.EnvValue("Sandboxes__SiloPort"));
        Assert.Equal("30000", chart.EnvValue("Sandboxes__GatewayPort"));
        Assert.Equal("sandboxes", chart.EnvValue("Sandboxes__ClusterId"));
        Assert.Equal("sandboxes", chart.EnvValue("Sandboxes__ServiceId"));
    }

    [Fact]
    public async Task Storage_and_cluster_secret_come_from_the_chart_s_secret()
    {
        var chart = await Defaults.Value;
        var secret = chart.OfKind("Secret");

        foreach (var (env, key, expected) in new[]
        {
            ("Sandboxes__StorageConnectionString", "storage-connection-string", "DefaultEndpointsProtocol=https;AccountName=sbx;AccountKey=a2V5;EndpointSuffix=core.windows.net"),
            ("Sandboxes__ClusterSecret", "cluster-secret", "cluster-secret-for-tests"),
        })
        {
            var reference = chart.EnvEntry(env)["valueFrom"]!["secretKeyRef"]!;
            Assert.Equal((string?)secret["metadata"]!["name"], (string?)reference["name"]);
            Assert.Equal(key, (string?)reference["key"]);
            Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]![key]!)));
        }

        // A changed secret rolls the silos, which read it only at start.
        Assert.NotNull(chart.OfKind("DaemonSet")["spec"]!["template"]!["metadata"]!["annotations"]!["checksum/secret"]);
    }

    [Fact]
    public async Task The_grace_period_outlasts_the_silo_s_shutdown()
    {
        var chart = await Defaults.Value;
        var grace = int.Parse((string)chart.OfKind("DaemonSet")["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]!, CultureInfo.InvariantCulture);
        // Parsed the way the silo's configuration binds a TimeSpan.
        var shutdown = TimeSpan.Parse(chart.EnvValue("Sandboxes__ShutdownTimeout"), CultureInfo.InvariantCulture);

        Assert.Equal(TimeSpan.FromSeconds(25), shutdown);
        Assert.True(grace > shutdown.TotalSeconds, $"terminationGracePeriodSeconds {grace} must be larger than the shutdown timeout {shutdown}");
    }

    [Fact]
    public async Task Both_ports_serve_the_mounted_tls_secret()
    {
        var chart = await Defaults.Value;
        var pod = chart.OfKind("DaemonSet")["spec"]!["template"]!["spec"]!;
        var volume = pod["volumes"]!.AsArray().Single(v => v!["secret"] is not null)!;
        var mount = chart.SiloContainer["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == (string?)volume["name"])!;

        Assert.Equal("sandboxes-tls", (string?)volume["secret"]!["secretName"]);
        Assert.Equal("true", (string?)mount["readOnly"]);
        Assert.Equal($"{mount["mountPath"]}/tls.crt", chart.EnvValue("Tls__CertificatePath"));
        Assert.Equal($"{mount["mountPath"]}/tls.key", chart.EnvValue("Tls__KeyPath"));
    }

    [Fact]
    public async Task The_service_exposes_grpc_and_http_of_the_silos()
    {
        var chart = await Defaults.Value;
        var service = chart.OfKind("Service")["spec"]!;
        var podLabels = chart.OfKind("DaemonSet")["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        var containerPorts = chart.SiloContainer["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (string)p!["containerPort"]!);

        var ports = service["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => ((string)p!["port"]!, (string)p!["targetPort"]!));
        Assert.Equal(("50051", "grpc"), ports["grpc"]);
        Assert.Equal(("50080", "http"), ports["http"]);
        Assert.Equal(2, ports.Count);
        Assert.Equal("50051", containerPorts["grpc"]);
        Assert.Equal("50080", containerPorts["http"]);
        Assert.Equal("11111", containerPorts["silo"]);
        Assert.Equal("30000", containerPorts["gateway"]);
        foreach (var (label, value) in service["selector"]!.AsObject())
        {
            Assert.Equal((string?)value, (string?)podLabels[label]);
        }

        Assert.Equal("grpc", (string?)chart.SiloContainer["readinessProbe"]!["tcpSocket"]!["port"]);
    }
}
