using System.CommandLine;
using Grpc.Core;
using Sandboxes.Client;

namespace Sandboxes.Cli;

/// <summary>What every command shares: the server and key options and the way failures are reported.</summary>
public sealed class CliContext(Option<string?> server, Option<string?> apiKey)
{
    public const int Failed = 125;
    public const int NotFound = 127;
    public const int TimedOut = 124;

    public SandboxClient Connect(ParseResult parse) => new(parse.GetValue(server), parse.GetValue(apiKey));

    /// <summary>Runs a command body, turning server errors into a message and exit code 125.</summary>
    public static async Task<int> ReportErrorsAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is not null)
        {
            await Console.Error.WriteLineAsync($"sbx: cannot reach the server: {e.Status.Detail}. Is the silo running (./run.sh)? Set --server or SANDBOXES_URL.");
            return Failed;
        }
        catch (RpcException e)
        {
            await Console.Error.WriteLineAsync($"sbx: {e.Status.Detail} ({e.StatusCode})");
            return Failed;
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"sbx: {e.Message}");
            return Failed;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"sbx: {e.Message}");
            return Failed;
        }
        catch (UnauthorizedAccessException e)
        {
            await Console.Error.WriteLineAsync($"sbx: {e.Message}");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("sbx: cancelled");
            return 130;
        }
    }
}
