using System.Globalization;
using Grpc.Core;

namespace Sandboxes.Silo.Auth;

/// <summary>
/// Ends a gRPC call before it reaches its service, as a trailers-only response: the status
/// travels in the headers and no message is read or written.
/// </summary>
public static class GrpcRefusal
{
    public static Task WriteAsync(HttpContext context, StatusCode code, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);

        response.Headers["grpc-message"] = PercentEncoded(message);
        return response.CompleteAsync();
    }

    /// <summary>grpc-message is UTF-8 with every byte outside printable ASCII, and '%', percent-encoded.</summary>
    private static string PercentEncoded(string message)
    {
        var encoded = new System.Text.StringBuilder(message.Length);
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(message))
        {
            encoded.Append(b is >= 0x20 and <= 0x7e and not (byte)'%' ? (char)b : $"%{b:X2}");
        }

        return encoded.ToString();
    }
}
