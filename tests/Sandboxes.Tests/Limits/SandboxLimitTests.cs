using Grpc.Core;
using Microsoft.Extensions.Options;
using Sandboxes.Protocol;
using Sandboxes.Silo.Hosting;
using Sandboxes.Silo.Limits;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Limits;

/// <summary>A create above a configured maximum is refused before anything starts, naming the limit and its value.</summary>
[Collection(SiloCollection.Name)]
public sealed class SandboxLimitTests(SiloFixture fixture)
{
    private static readonly SandboxLimits Defaults = new();
    private readonly TestSilo _silo = fixture.Silo;

    public static TheoryData<string, string, string> AboveMaximum => new()
    {
        { "cpus", "Limits:MaxCpus", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        { "memory", "Limits:MaxMemoryBytes", Defaults.MaxMemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        { "pids", "Limits:MaxPidsLimit", "4096" },
        { "env-count", "Limits:MaxEnvCount", "128" },
        { "env-bytes", "Limits:MaxEnvBytes", "32768" },
        { "label-count", "Limits:MaxLabelCount", "32" },
        { "label-key", "Limits:MaxLabelKeyLength", "128" },
        { "label-value", "Limits:MaxLabelValueLength", "256" },
        { "image", "Limits:AllowedImages", "sandboxes/sandbox" },
    };

    [Theory]
    [MemberData(nameof(AboveMaximum))]
    public async Task A_create_above_a_maximum_is_invalid_argument_naming_the_setting_and_its_value(string what, string setting, string value)
    {
        var name = _silo.UniqueName("limits");
        var options = new SandboxOptions();
        switch (what)
        {
            case "cpus": options.Cpus = Environment.ProcessorCount + 1; break;
            case "memory": options.MemoryBytes = 1UL << 40; break;
            case "pids": options.PidsLimit = 1_000_000; break;
            case "env-count": options.Env.Add(Enumerable.Range(0, 129).ToDictionary(i => $"V{i}", _ => "x")); break;
            case "env-bytes": options.Env.Add("BIG", new string('k', 64 << 10)); break;
            case "label-count": options.Labels.Add(Enumerable.Range(0, 33).ToDictionary(i => $"l{i}", _ => "x")); break;
            case "label-key": options.Labels.Add(new string('k', 129), "x"); break;
            case "label-value": options.Labels.Add("k", new string('v', 257)); break;
            case "image": options.Image = "alpine:latest"; break;
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => _silo.Client.CreateAsync(name, options));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(setting, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(value, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(await _silo.OwnedContainersAsync(name));
    }

    [Fact]
    public async Task A_create_at_the_maximums_and_with_an_allowed_image_succeeds()
    {
        var options = new SandboxOptions { Image = TestEnvironment.Image, PidsLimit = 4096 };
        options.Env.Add(Enumerable.Range(0, 128).ToDictionary(i => $"V{i}", _ => "x"));
        options.Labels.Add("k", new string('v', 256));

        var box = await _silo.Client.CreateAsync(_silo.UniqueName("limits"), options);

        Assert.Equal("x\n", (await box.ExecAsync("echo $V127")).Stdout);
        await box.DestroyAsync();
    }

    [Fact]
    public void Limits_below_the_defaults_stop_the_silo_naming_both_settings()
    {
        var validator = new SandboxLimitsValidator(Options.Create(new SandboxesOptions { DefaultPidsLimit = 512 }));

        var result = validator.Validate(null, new SandboxLimits { MaxPidsLimit = 100, MaxCpus = -1 });

        Assert.True(result.Failed);
        Assert.Contains("Limits:MaxPidsLimit", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Sandboxes:DefaultPidsLimit", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Limits:MaxCpus", result.FailureMessage, StringComparison.Ordinal);
    }
}
