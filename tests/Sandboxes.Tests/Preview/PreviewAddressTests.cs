using Sandboxes.Silo.Preview;

namespace Sandboxes.Tests.Preview;

/// <summary>Preview host names name the sandbox's tenant, and read back to exactly the sandbox they were written for.</summary>
public sealed class PreviewAddressTests
{
    private static readonly Uri BaseUrl = new("http://preview.localhost:50080");

    [Theory]
    [InlineData("default", "my-box", "8000-my-box-0123456789abcdef.preview.localhost")]
    [InlineData("acme", "my-box", "8000-my-box-0123456789abcdef--acme.preview.localhost")]
    [InlineData("default", "a--b", "8000-a--b-0123456789abcdef--default.preview.localhost")]
    [InlineData("acme", "a-0123456789abcdef--b", "8000-a-0123456789abcdef--b-0123456789abcdef--acme.preview.localhost")]
    [InlineData("default", "x-0123456789abcdef--b", "8000-x-0123456789abcdef--b-0123456789abcdef--default.preview.localhost")]
    public void A_host_reads_back_to_the_sandbox_it_was_written_for(string tenant, string name, string host)
    {
        var address = new PreviewAddress(8000, new SandboxKey(tenant, name), "0123456789abcdef");

        Assert.Equal(host, address.ToUri(BaseUrl).Host);
        Assert.True(PreviewAddress.TryParse(host, BaseUrl.Host, out var parsed));
        Assert.Equal(address, parsed);
    }

    [Theory]
    [InlineData("8000-my-box-0123456789abcdef--.preview.localhost")]
    [InlineData("8000-my-box-0123456789abcdef--Acme!.preview.localhost")]
    [InlineData("8000-my-box-0123456789abcdef--a-tenant-name-longer-than-32-chars.preview.localhost")]
    [InlineData("8000-my-box-short--acme.preview.localhost")]
    [InlineData("8000-a--b-0123456789abcdef.preview.localhost")]
    public void A_host_that_no_sandbox_was_given_is_not_a_preview(string host)
    {
        Assert.False(PreviewAddress.TryParse(host, BaseUrl.Host, out _));
    }
}
