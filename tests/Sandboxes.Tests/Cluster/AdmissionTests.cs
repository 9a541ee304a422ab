using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;
using SandboxesClient = Sandboxes.Protocol.Sandboxes.SandboxesClient;

namespace Sandboxes.Tests.Cluster;

/// <summary>
/// A burst of creates on one host: each is either done while its caller waits or refused up
/// front (RESOURCE_EXHAUSTED), never half done, and the listing agrees with the answers.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class AdmissionTests(SiloFixture fixture)
{
    [Fact]
    public async Task A_full_host_takes_no_new_sandbox_and_says_so()
    {
        await using var silo = new TestSilo(new Dictionary<string, string?> { ["Sandboxes:MaxRunningSandboxes"] = "1" });
        await silo.StartAsync();

        await silo.Client.CreateAsync(silo.UniqueName("only"));
        var full = await Assert.ThrowsAsync<RpcException>(() => silo.Client.CreateAsync(silo.UniqueName("second")));
        var implicitly = await Assert.ThrowsAsync<RpcException>(() => silo.Client.Sandbox(silo.UniqueName("third")).ExecAsync("true"));

        Assert.Equal((StatusCode.ResourceExhausted, StatusCode.ResourceExhausted), (full.StatusCode, implicitly.StatusCode));
        Assert.Contains("no host has room", full.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("full (1/1 running)", full.Status.Detail, StringComparison.Ordinal);
        Assert.Single(await silo.OwnedContainersAsync());
    }

    [Fact]
    public async Task Fifty_creates_at_once_each_answer_ok_or_resource_exhausted_and_the_listing_agrees()
    {
        var silo = fixture.Silo;
        using var channel = silo.Channel();
        var lifecycle = new SandboxesClient(channel);
        var burst = silo.UniqueName("burst");
        var names = Enumerable.Range(0, 50).Select(i => $"{burst}-{i}").ToArray();

        var answers = await Task.WhenAll(names.Select(async name =>
        {
            var request = new CreateSandboxRequest { Name = name, Options = new SandboxOptions { Labels = { ["burst"] = burst } } };
            try
            {
                await lifecycle.CreateAsync(request, deadline: DateTime.UtcNow.AddSeconds(12));
                return (name, Status: StatusCode.OK, Detail: "");
            }
            catch (RpcException e)
            {
                return (name, Status: e.StatusCode, Detail: e.Status.Detail);
            }
        }));

        try
        {
            Assert.All(answers, a => Assert.True(a.Status is StatusCode.OK or StatusCode.ResourceExhausted, $"{a.name}: {a.Status} {a.Detail}"));
            Assert.Contains(answers, a => a.Status == StatusCode.OK);
            Assert.All(answers.Where(a => a.Status == StatusCode.ResourceExhausted), a => Assert.Contains("Retry in", a.Detail, StringComparison.Ordinal));

            // Refused creates left nothing behind, accepted ones exist.
            var listed = (await silo.Client.ListAsync(new Dictionary<string, string> { ["burst"] = burst })).Select(s => s.Name).Order().ToArray();
            Assert.Equal(answers.Where(a => a.Status == StatusCode.OK).Select(a => a.name).Order().ToArray(), listed);
            var containers = (await silo.OwnedContainersAsync()).Select(c => c.Labels["sandboxes.sandbox"]).Where(n => n.StartsWith(burst, StringComparison.Ordinal)).Order().ToArray();
            Assert.Equal(listed, containers);
        }
        finally
        {
            // A few at a time: the engine removes one in about 2 s, and fifty at once outlast a grain call's timeout.
            await Parallel.ForEachAsync(answers.Where(a => a.Status == StatusCode.OK), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (a, token) => await silo.Client.Sandbox(a.name).DestroyAsync(token));
        }
    }
}
