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

        // grpc-message is percent-encoded; these messages are plain ASCII without '%'.
        response.Headers["grpc-message"] = message;
        return response.CompleteAsync();
    }
}
