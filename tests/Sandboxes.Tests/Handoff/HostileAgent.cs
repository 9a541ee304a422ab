using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sandboxes.Networking;
using Sandboxes.Protocol.Agent;

namespace Sandboxes.Tests.Handoff;

/// <summary>
/// What a sandbox can put at its handoff.sock in place of sandboxd: a listener in this test
/// process that answers the silo with whatever descriptors the test chooses, or not at all.
/// </summary>
public sealed class HostileAgent : IAsyncDisposable
{
    private const int MsgNoSignal = 0x4000;

    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly List<Socket> _accepted = [];

    public HostileAgent()
    {
        Folder = Directory.CreateTempSubdirectory("sbxtest-handoff-").FullName;
        _listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(Folder, "handoff.sock")));
        _listener.Listen(8);
    }

    public string Folder { get; }

    /// <summary>The path the silo is given for the agent's socket; handoff.sock sits beside it.</summary>
    public string AgentSocketPath => Path.Combine(Folder, "agent.sock");

    /// <summary>Accepts the silo's connection, reads its request, and answers with these descriptors attached.</summary>
    public async Task AnswerAsync(HandoffReply reply, params int[] descriptors)
    {
        var silo = await AcceptAndReadAsync<HandoffRequest>(HandoffRequest.Parser);
        Send(silo, FramedMessages.Frame(reply), descriptors);
    }

    /// <summary>Accepts and reads the request, then never answers.</summary>
    public Task StayQuietAsync() => AcceptAndReadAsync<HandoffRequest>(HandoffRequest.Parser);

    /// <summary>After an answer, reads the silo's commit and confirms it with these descriptors attached.</summary>
    public async Task ConfirmCommitAsync(params int[] descriptors)
    {
        var silo = _accepted[^1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await FramedMessages.ReceiveAsync(silo, HandoffCommit.Parser, default, timeout.Token);
        Send(silo, FramedMessages.Frame(new HandoffReply()), descriptors);
    }

    private async Task<Socket> AcceptAndReadAsync<T>(Google.Protobuf.MessageParser<T> parser)
        where T : class, Google.Protobuf.IMessage<T>
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var silo = await _listener.AcceptAsync(timeout.Token);
        _accepted.Add(silo);
        await FramedMessages.ReceiveAsync(silo, parser, default, timeout.Token);
        return silo;
    }

    /// <summary>sendmsg with one SCM_RIGHTS message holding all the descriptors (none: a plain send).</summary>
    private static void Send(Socket socket, byte[] data, int[] descriptors)
    {
        var controlLength = descriptors.Length == 0 ? 0 : (16 + (4 * descriptors.Length) + 7) & ~7;
        var memory = Marshal.AllocHGlobal(16 + 56 + controlLength + data.Length);
        try
        {
            var iov = memory;
            var header = memory + 16;
            var control = header + 56;
            var bytes = control + controlLength;
            Marshal.Copy(data, 0, bytes, data.Length);
            Marshal.WriteIntPtr(iov, bytes);
            Marshal.WriteInt64(iov + 8, data.Length);
            if (controlLength > 0)
            {
                Marshal.WriteInt64(control, 16 + (4 * descriptors.Length));
                Marshal.WriteInt32(control + 8, 1); // SOL_SOCKET
                Marshal.WriteInt32(control + 12, 1); // SCM_RIGHTS
                for (var i = 0; i < descriptors.Length; i++)
                {
                    Marshal.WriteInt32(control + 16 + (4 * i), descriptors[i]);
                }
            }

            // struct msghdr: name, namelen, iov, iovlen, control, controllen, flags.
            var fields = new long[] { 0, 0, iov, 1, controlLength == 0 ? 0 : control, controlLength, 0 };
            Marshal.Copy(fields, 0, header, fields.Length);
            if (SendMsg((int)socket.SafeHandle.DangerousGetHandle(), header, MsgNoSignal) != data.Length)
            {
                throw new IOException($"sendmsg failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            Marshal.FreeHGlobal(memory);
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var socket in _accepted)
        {
            socket.Dispose();
        }

        _listener.Dispose();
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    [DllImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static extern nint SendMsg(int socket, nint message, int flags);
}
