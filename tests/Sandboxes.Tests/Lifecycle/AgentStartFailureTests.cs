using Docker.DotNet.Models;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Lifecycle;

/// <summary>A sandbox whose agent never answers: the caller is told, and nothing says it runs.</summary>
public sealed class AgentStartFailureTests
{
    [Fact]
    public async Task An_image_the_agent_cannot_start_in_gives_unavailable_and_leaves_a_sleeping_sandbox_that_can_be_destroyed()
    {
        await using var silo = new TestSilo(new Dictionary<string, string?> { ["Sandboxes:AgentReadyTimeout"] = "00:00:03", ["Limits:AllowedImages:0"] = "sbxtest-empty:*" });
        await silo.StartAsync();

        // An image with no files at all: docker-init starts, but sandboxd has no libc to run with.
        var image = $"sbxtest-empty:{silo.RunId}";
        using (var emptyTar = new MemoryStream(new byte[1024]))
        {
            await silo.Docker.Images.CreateImageAsync(
                new ImagesCreateParameters { FromSrc = "-", Repo = "sbxtest-empty", Tag = silo.RunId, Changes = [$"LABEL sandboxes.owner={silo.Owner}"] },
                emptyTar,
                null,
                new Progress<JSONMessage>());
        }

        try
        {
            var name = silo.UniqueName("noagent");
            var failure = await Assert.ThrowsAsync<RpcException>(() => silo.Client.CreateAsync(name, new SandboxOptions { Image = image }));
            Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
            Assert.Contains("did not answer", failure.Status.Detail, StringComparison.Ordinal);

            var box = silo.Client.Sandbox(name);
            Assert.Equal(SandboxState.Sleeping, (await box.GetInfoAsync()).State);
            Assert.DoesNotContain(await silo.Client.ListAsync(), s => s.Name == name && s.State == SandboxState.Running);
            Assert.True(await box.DestroyAsync());
        }
        finally
        {
            await silo.Docker.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true });
        }
    }
}
