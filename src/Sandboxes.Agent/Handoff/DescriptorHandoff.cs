using System.Net.Sockets;
using Grpc.Core;
using Sandboxes.Agent.Files;
using Sandboxes.Agent.Hosting;
using Sandboxes.Agent.Probe;
using Sandboxes.Networking;
using Sandboxes.Protocol;
using Sandboxes.Protocol.Agent;

namespace Sandboxes.Agent.Handoff;

/// <summary>
/// Opens files and connections for the silo and hands it their descriptors over handoff.sock
/// (beside the agent's socket). Reads and large writes then skip the gRPC stream: the silo
/// reads or writes the file itself, and the agent keeps the rules (paths, modes, atomic
/// replace). A preview request gets a TCP socket connected inside the sandbox's network, so
/// the silo talks to the sandbox's server with no relay in between.
/// </summary>
public sealed partial class DescriptorHandoff(IConfiguration configuration, CallTracker tracker, ILogger<DescriptorHandoff> logger) : BackgroundService
{
    public const string SocketName = "handoff.sock";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = Path.Combine(Path.GetDirectoryName(AgentSocket.Path(configuration)) ?? "/", SocketName);
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(64);
        }
        catch (SocketException e)
        {
            CannotListen(path, e.Message);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var client = await listener.AcceptAsync(stoppingToken);
                _ = ServeAsync(client, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // One failed accept; keep serving.
            }
        }
    }

    private async Task ServeAsync(Socket silo, CancellationToken stoppingToken)
    {
        // A transfer in progress is activity, like a Files call, so the sandbox does not sleep under it.
        tracker.Begin();
        try
        {
            using var _ = silo;
            var request = await FramedMessages.ReceiveAsync(silo, HandoffRequest.Parser, default, stoppingToken);
            if (request is null)
            {
                return;
            }

            switch (request.RequestCase)
            {
                case HandoffRequest.RequestOneofCase.Read:
                    OpenForRead(silo, request.Read.Path);
                    break;
                case HandoffRequest.RequestOneofCase.Write:
                    await WriteAsync(silo, request.Write, stoppingToken);
                    break;
                case HandoffRequest.RequestOneofCase.ConnectPort:
                    await ConnectAsync(silo, request.ConnectPort, stoppingToken);
                    break;
                default:
                    await FramedMessages.SendAsync(silo, Refusal(StatusCode.InvalidArgument, "a handoff request must be read, write or connect_port"), stoppingToken);
                    break;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
        {
            // The silo went away or spoke nonsense; an unfinished write is abandoned.
        }
        finally
        {
            tracker.End();
        }
    }

    private static void OpenForRead(Socket silo, string requested)
    {
        string path;
        try
        {
            path = SandboxPath.Resolve(requested);
        }
        catch (RpcException e)
        {
            Reply(silo, Refusal(e.StatusCode, e.Status.Detail), -1);
            return;
        }

        try
        {
            using var handle = ReadableFile.Open(path);
            Reply(silo, new HandoffReply { Entry = FileEntries.Describe(path) }, (int)handle.DangerousGetHandle());
        }
        catch (Exception e)
        {
            var status = e as RpcException ?? FileErrors.From(e, path);
            Reply(silo, Refusal(status.StatusCode, status.Status.Detail), -1);
        }
    }

    private static async Task WriteAsync(Socket silo, WriteFileHeader header, CancellationToken stoppingToken)
    {
        string path;
        FileUpload upload;
        try
        {
            path = SandboxPath.Resolve(header.Path);
            upload = FileUpload.Begin(path, header.Mode, header.MakeParents);
        }
        catch (Exception e)
        {
            var status = e as RpcException ?? FileErrors.From(e, header.Path);
            Reply(silo, Refusal(status.StatusCode, status.Status.Detail), -1);
            return;
        }

        await using (upload)
        {
            Reply(silo, new HandoffReply(), upload.Descriptor);
            var commit = await FramedMessages.ReceiveAsync(silo, HandoffCommit.Parser, default, stoppingToken);
            if (commit is null)
            {
                return;
            }

            HandoffReply answer;
            try
            {
                if (upload.Length != commit.Size)
                {
                    throw FileErrors.Status(StatusCode.DataLoss, $"the silo sent {commit.Size} bytes but '{path}' received {upload.Length}; nothing was replaced");
                }

                await upload.CommitAsync();
                answer = new HandoffReply { Entry = FileEntries.Describe(path) };
            }
            catch (Exception e)
            {
                var status = e as RpcException ?? FileErrors.From(e, path);
                answer = Refusal(status.StatusCode, status.Status.Detail);
            }

            await FramedMessages.SendAsync(silo, answer, stoppingToken);
        }
    }

    private static async Task ConnectAsync(Socket silo, int port, CancellationToken stoppingToken)
    {
        if (port is < 1 or > 65535)
        {
            Reply(silo, Refusal(StatusCode.InvalidArgument, $"port {port} is not from 1 to 65535"), -1);
            return;
        }

        using var connection = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await connection.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            var why = e is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "nothing listens there" : e.Message;
            Reply(silo, Refusal(StatusCode.Unavailable, $"cannot connect to 127.0.0.1:{port} inside the sandbox: {why}"), -1);
            return;
        }

        // The silo gets its own descriptor of the connected socket; this one closes.
        Reply(silo, new HandoffReply(), (int)connection.SafeHandle.DangerousGetHandle());
    }

    private static void Reply(Socket silo, HandoffReply reply, int fd)
    {
        var framed = FramedMessages.Frame(reply);
        if (fd >= 0)
        {
            ScmRights.Send(silo, framed, fd);
        }
        else
        {
            silo.Send(framed);
        }
    }

    private static HandoffReply Refusal(StatusCode code, string message) => new() { StatusCode = (int)code, Message = message };

    [LoggerMessage(1, LogLevel.Warning, "Cannot listen on {Path} ({Reason}); file transfers go through gRPC only")]
    private partial void CannotListen(string path, string reason);
}
