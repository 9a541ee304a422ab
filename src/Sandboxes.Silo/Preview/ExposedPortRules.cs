using System.Security.Cryptography;

namespace Sandboxes.Silo.Preview;

/// <summary>Which ports may be exposed, and the tokens that guard their URLs.</summary>
public static class ExposedPortRules
{
    public const int Lowest = 1024;
    public const int Highest = 65535;
    public const int MaxNameLength = 64;
    public const int TokenLength = 16;

    private const string TokenAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Exposes <paramref name="port"/> in <paramref name="exposed"/>, keeping an existing token.</summary>
    public static ExposedPort Expose(List<ExposedPort> exposed, int port, string name, IReadOnlyCollection<int> reserved, DateTimeOffset now)
    {
        if (port is < Lowest or > Highest)
        {
            throw new SandboxException(SandboxError.InvalidArgument, $"port {port} cannot be exposed: use {Lowest} to {Highest}");
        }

        if (reserved.Contains(port))
        {
            throw new SandboxException(SandboxError.InvalidArgument, $"port {port} is reserved inside every sandbox (reserved: {string.Join(", ", reserved.Order())}); choose another");
        }

        if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            throw new SandboxException(SandboxError.InvalidArgument, $"a port name is at most {MaxNameLength} characters without control characters");
        }

        var index = exposed.FindIndex(p => p.Port == port);
        if (index >= 0)
        {
            exposed[index] = exposed[index] with { Name = name.Length > 0 ? name : exposed[index].Name };
            return exposed[index];
        }

        var added = new ExposedPort(port, name, NewToken(), now);
        exposed.Add(added);
        return added;
    }

    public static bool TokenMatches(ExposedPort exposed, string token) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(exposed.Token), System.Text.Encoding.ASCII.GetBytes(token));

    private static string NewToken() => RandomNumberGenerator.GetString(TokenAlphabet, TokenLength);
}
