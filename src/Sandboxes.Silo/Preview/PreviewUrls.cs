using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Preview;

/// <summary>Where previews are served and how their URLs are written.</summary>
public sealed class PreviewUrls(IOptions<PreviewOptions> preview, IOptions<SandboxesOptions> sandboxes)
{
    /// <summary>The silo's HTTP port, where preview requests arrive.</summary>
    public int ListenPort { get; } = new Uri(sandboxes.Value.HttpUrl).Port;

    public Uri BaseUrl { get; } = string.IsNullOrWhiteSpace(preview.Value.BaseUrl)
        ? new Uri($"http://preview.localhost:{new Uri(sandboxes.Value.HttpUrl).Port}")
        : new Uri(preview.Value.BaseUrl);

    /// <summary>The domain under which every preview host name sits.</summary>
    public string Domain => BaseUrl.Host;

    public string For(SandboxKey sandbox, ExposedPort port) => new PreviewAddress(port.Port, sandbox, port.Token).ToUri(BaseUrl).ToString();
}
