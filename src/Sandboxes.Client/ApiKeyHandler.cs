using System.Net.Http.Headers;

namespace Sandboxes.Client;

/// <summary>Adds <c>authorization: Bearer KEY</c> to every call of the client's channel.</summary>
internal sealed class ApiKeyHandler(string key, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly AuthenticationHeaderValue _header = new("Bearer", key);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = _header;
        return base.SendAsync(request, cancellationToken);
    }
}
