using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;
using Sandboxes.Tests.Preview;

namespace Sandboxes.Tests.Security;

/// <summary>
/// Anyone who can reach the HTTP port can name any sandbox in a preview host name. Names that
/// do not exist, and read-only calls on sleeping sandboxes, must not leave grain activations
/// behind: each costs the silo memory for as long as it lives.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class GrainActivationTests(SiloFixture fixture) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestSilo _silo = fixture.Silo;
    private readonly PreviewBrowser _browser = new(fixture.Silo.HttpUrl);

    public void Dispose() => _browser.Dispose();

    [Fact]
    public async Task Random_preview_hosts_and_reads_of_unknown_names_leave_no_activations()
    {
        var ghosts = Enumerable.Range(0, 40).Select(_ => _silo.UniqueName("ghost")).ToList();
        var port = new Uri(_silo.HttpUrl).Port;
        using var http = _browser.Http;
        foreach (var ghost in ghosts)
        {
            var response = await http.GetAsync($"http://8000-{ghost}-0123456789abcdef.preview.localhost:{port}/");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        foreach (var ghost in ghosts.Take(10))
        {
            var box = _silo.Client.Sandbox(ghost);
            Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => box.GetInfoAsync())).StatusCode);
            Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => box.GetExposedPortsAsync())).StatusCode);
            Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => box.SetSleepPolicyAsync(TimeSpan.FromMinutes(5)))).StatusCode);
        }

        Assert.DoesNotContain(await _silo.Client.ListAsync(), s => ghosts.Contains(s.Name));
        await Eventually.WaitAsync(() => ActivationsAsync(ghosts), n => n == 0, Bound, "the unknown names' grains to be deactivated");
    }

    [Fact]
    public async Task Describing_a_sleeping_sandbox_does_not_keep_its_grain_active()
    {
        var box = await _silo.Client.CreateAsync(_silo.UniqueName("sleeper"), new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });
        await Eventually.WaitAsync(() => box.GetInfoAsync(), i => i.State == SandboxState.Sleeping, Bound, "the sandbox to sleep");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(SandboxState.Sleeping, (await box.GetInfoAsync()).State);
        }

        await Eventually.WaitAsync(() => ActivationsAsync([box.Name]), n => n == 0, Bound, "the sleeping sandbox's grain to be deactivated");
    }

    private async Task<int> ActivationsAsync(IReadOnlyCollection<string> names)
    {
        var management = _silo.Grains.GetGrain<IManagementGrain>(0);
        var statistics = await management.GetDetailedGrainStatistics();
        return statistics.Count(s => names.Contains(s.GrainId.Key.ToString()!));
    }
}
