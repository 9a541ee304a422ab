using Sandboxes.Client;

namespace Sandboxes.Tests.Auth;

/// <summary>The SDK takes this host's admin.key only for a server on this host, never for another machine.</summary>
public sealed class ApiKeySourceTests
{
    [Fact]
    public void The_local_admin_key_goes_to_a_loopback_server_only()
    {
        var home = Directory.CreateTempSubdirectory("sbx-keysource-");
        var before = Environment.GetEnvironmentVariable("SANDBOXES_HOME");
        var keyBefore = Environment.GetEnvironmentVariable(ApiKeySource.Variable);
        try
        {
            File.WriteAllText(Path.Combine(home.FullName, "admin.key"), "sbx_local_admin\n");
            Environment.SetEnvironmentVariable("SANDBOXES_HOME", home.FullName);
            Environment.SetEnvironmentVariable(ApiKeySource.Variable, null);

            Assert.Equal("sbx_local_admin", ApiKeySource.Find(null, new Uri("http://127.0.0.1:50051")));
            Assert.Equal("sbx_local_admin", ApiKeySource.Find(null, new Uri("https://localhost:50051")));
            Assert.Null(ApiKeySource.Find(null, new Uri("http://sandboxes.example.com:50051")));
            Assert.Null(ApiKeySource.Find(null, new Uri("http://192.0.2.7:50051")));
            Assert.Equal("given", ApiKeySource.Find("given", new Uri("http://sandboxes.example.com:50051")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SANDBOXES_HOME", before);
            Environment.SetEnvironmentVariable(ApiKeySource.Variable, keyBefore);
            home.Delete(recursive: true);
        }
    }
}
