using System.Diagnostics.CodeAnalysis;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// What a sandbox asks the egress proxy for, read strictly from the request head: the method,
/// the host and port that the policy checks, and for plain http the path to send on. The Host
/// header must name that same host and port, and the origin receives a Host header rebuilt from
/// the checked host, so the host the allow-list approved is the only one the origin hears of.
/// </summary>
public sealed record ProxyRequest(string Method, string Host, int Port, string PathAndQuery)
{
    public const int HttpPort = 80;

    public bool IsTunnel => Method == "CONNECT";

    /// <summary>The Host header the origin receives: the checked host, with the port unless it is 80.</summary>
    public string HostHeader => Port == HttpPort ? (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host) : EgressHost.Authority(Host, Port);

    public static bool TryParse(HttpHead head, [NotNullWhen(true)] out ProxyRequest? request, out string problem)
    {
        request = null;
        if (head.Malformation() is { } malformation)
        {
            problem = malformation;
            return false;
        }

        var parts = head.StartLine.Split(' ');
        if (parts.Length != 3 || parts[2] is not ("HTTP/1.1" or "HTTP/1.0") || parts[0].Length == 0 || !parts[0].All(char.IsAsciiLetterUpper))
        {
            problem = $"not an HTTP/1.x proxy request: '{EgressHost.Printable(head.StartLine)}'";
            return false;
        }

        var (method, target) = (parts[0], parts[1]);
        if (!TryTarget(method, target, out var host, out var port, out var path, out problem) || !HostHeaderMatches(head, method, host, port, out problem))
        {
            return false;
        }

        request = new ProxyRequest(method, host, port, path);
        return true;
    }

    private static bool TryTarget(string method, string target, out string host, out int port, out string path, out string problem)
    {
        host = path = "";
        port = 0;
        if (method == "CONNECT")
        {
            if (!EgressHost.TryParse(target, allowUnicode: false, out host, out var connectPort, out problem) || connectPort is null)
            {
                problem = $"CONNECT needs host:port, not '{EgressHost.Printable(target)}' {problem}".TrimEnd();
                return false;
            }

            port = connectPort.Value;
            return true;
        }

        if (!target.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            problem = target.StartsWith("https:", StringComparison.OrdinalIgnoreCase)
                ? "https goes through CONNECT; set HTTPS_PROXY rather than sending an https URL to the proxy"
                : $"a proxy request names an absolute http:// URL, not '{EgressHost.Printable(target)}'";
            return false;
        }

        // Read by hand rather than by System.Uri, which repairs what it does not like
        // (backslashes, stray characters) into a host the client did not send.
        var rest = target["http://".Length..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        path = end < 0 ? "/" : rest[end] == '/' ? rest[end..] : "/" + rest[end..];
        if (authority.Contains('@', StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal) || !path.All(c => c is > ' ' and < '\x7f'))
        {
            problem = $"the URL '{EgressHost.Printable(target)}' has a user name, a fragment or a character that must be percent-encoded";
            return false;
        }

        if (!EgressHost.TryParse(authority, allowUnicode: false, out host, out var urlPort, out problem))
        {
            problem = $"the URL '{EgressHost.Printable(target)}' does not name a host: {problem}";
            return false;
        }

        port = urlPort ?? HttpPort;
        return true;
    }

    /// <summary>At most one Host header, naming the target (a CONNECT's may leave the port out).</summary>
    private static bool HostHeaderMatches(HttpHead head, string method, string host, int port, out string problem)
    {
        problem = "";
        var values = head.Headers.Where(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        if (values.Count == 0)
        {
            return true;
        }

        if (values.Count > 1)
        {
            problem = "the request has more than one Host header";
            return false;
        }

        var matches = EgressHost.TryParse(values[0], allowUnicode: false, out var named, out var namedPort, out _)
            && named == host
            && (namedPort ?? (method == "CONNECT" ? port : HttpPort)) == port;
        if (!matches)
        {
            problem = $"the Host header '{EgressHost.Printable(values[0])}' does not name the request's target {EgressHost.Authority(host, port)}";
        }

        return matches;
    }
}
