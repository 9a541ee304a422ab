namespace Sandboxes.Tests.Auth;

/// <summary>A sandbox's key names its grain and host folders without two sandboxes ever sharing one.</summary>
public sealed class SandboxKeyTests
{
    [Theory]
    [InlineData("default", "my-box", "my-box", "my-box")]
    [InlineData("acme", "my-box", "acme/my-box", "acme.my-box")]
    public void Keys_and_local_names_keep_the_default_tenants_old_form(string tenant, string name, string grainKey, string localName)
    {
        var key = new SandboxKey(tenant, name);

        Assert.Equal((grainKey, localName), (key.GrainKey, key.LocalName));
        Assert.True(SandboxKey.TryParseGrainKey(grainKey, out var parsed));
        Assert.Equal(key, parsed);
    }

    [Fact]
    public void A_long_tenant_and_name_get_a_short_distinct_local_name()
    {
        var tenant = new string('t', TenantName.MaxLength);
        var one = new SandboxKey(tenant, new string('a', SandboxName.MaxLength));
        var other = new SandboxKey(tenant, new string('a', SandboxName.MaxLength - 1) + "b");

        Assert.Matches($"^{tenant}_[0-9a-f]{{20}}$", one.LocalName);
        Assert.NotEqual(one.LocalName, other.LocalName);
        Assert.True(one.LocalName.Length <= 63);
    }

    [Theory]
    [InlineData("default/my-box")]
    [InlineData("acme/")]
    [InlineData("/my-box")]
    [InlineData("acme/my/box")]
    [InlineData("Acme/my-box")]
    public void A_grain_key_no_api_makes_does_not_parse(string grainKey)
    {
        Assert.False(SandboxKey.TryParseGrainKey(grainKey, out _));
    }
}
