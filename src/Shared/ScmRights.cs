using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sandboxes.Networking;

/// <summary>
/// Passes one open file descriptor, with a short message, over a Unix stream socket
/// (SCM_RIGHTS). The receiver gets its own descriptor for the same open file. The sender may
/// be hostile (a sandbox can replace the socket the silo connects to), so receiving takes
/// exactly one descriptor and closes every other one that arrives.
/// </summary>
public static partial class ScmRights
{
    private const int SolSocket = 1;
    private const int ScmRightsType = 1;
    private const int MsgNoSignal = 0x4000;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int MsgCtrunc = 0x8;
    private const int EAgain = 11;
    private const int EIntr = 4;

    // struct cmsghdr on 64-bit Linux is 16 bytes; CMSG_SPACE(sizeof(int)) is 24.
    private const int CmsgHeaderSize = 16;
    private const int ControlSize = 24;

    // Room for a few descriptors on receipt, so that extra ones arrive and are closed here
    // rather than silently dropped; any beyond that the kernel drops and flags with MSG_CTRUNC.
    private const int ReceiveDescriptors = 4;
    private const int ReceiveControlSize = CmsgHeaderSize + (ReceiveDescriptors * sizeof(int));

    /// <summary>Sends the whole message with the descriptor attached to its first byte.</summary>
    public static unsafe void Send(Socket socket, ReadOnlySpan<byte> message, int fd)
    {
        var control = stackalloc byte[ControlSize];
        new Span<byte>(control, ControlSize).Clear();
        *(nuint*)control = CmsgHeaderSize + sizeof(int);
        *(int*)(control + 8) = SolSocket;
        *(int*)(control + 12) = ScmRightsType;
        *(int*)(control + CmsgHeaderSize) = fd;
        fixed (byte* data = message)
        {
            var iov = new IoVec { Base = data, Length = (nuint)message.Length };
            var header = new MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSize };
            nint sent;
            for (var attempt = 0; (sent = SendMsg((int)socket.SafeHandle.DangerousGetHandle(), &header, MsgNoSignal)) < 0; attempt++)
            {
                WaitOrThrow(socket, SelectMode.SelectWrite, attempt);
            }

            if (sent < message.Length)
            {
                // The descriptor went with the first bytes; the rest is ordinary data.
                socket.Send(message[(int)sent..]);
            }
        }
    }

    /// <summary>
    /// Receives up to buffer.Length bytes and the descriptor sent with them, or null when none
    /// came. More than one descriptor, or a message whose descriptors did not all fit
    /// (MSG_CTRUNC), throws <see cref="InvalidDataException"/> after closing every one received.
    /// </summary>
    public static async Task<(int Read, SafeFileHandle? Descriptor)> ReceiveAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // A zero-byte read waits until data is there without taking any (and so without
        // dropping a descriptor that arrives with it).
        await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
        var (read, descriptors, truncated) = Receive(socket, buffer.Span);
        if (truncated || descriptors.Count > 1)
        {
            foreach (var descriptor in descriptors)
            {
                descriptor.Dispose();
            }

            throw new InvalidDataException(truncated
                ? "the peer sent more descriptors than one message may carry; all were closed"
                : $"the peer sent {descriptors.Count} descriptors where one was expected; all were closed");
        }

        return (read, descriptors.Count == 1 ? descriptors[0] : null);
    }

    private static unsafe (int Read, List<SafeFileHandle> Descriptors, bool Truncated) Receive(Socket socket, Span<byte> buffer)
    {
        var control = stackalloc byte[ReceiveControlSize];
        new Span<byte>(control, ReceiveControlSize).Clear();
        fixed (byte* data = buffer)
        {
            var iov = new IoVec { Base = data, Length = (nuint)buffer.Length };
            var header = new MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = ReceiveControlSize };
            nint read;
            for (var attempt = 0; (read = RecvMsg((int)socket.SafeHandle.DangerousGetHandle(), &header, MsgCmsgCloexec)) < 0; attempt++)
            {
                WaitOrThrow(socket, SelectMode.SelectRead, attempt);
            }

            // Every SCM_RIGHTS message in the control data, each descriptor owned at once so none can leak.
            var descriptors = new List<SafeFileHandle>();
            var length = (int)Math.Min(header.ControlLength, (nuint)ReceiveControlSize);
            for (var offset = 0; offset + CmsgHeaderSize <= length;)
            {
                var messageLength = (int)*(nuint*)(control + offset);
                if (messageLength < CmsgHeaderSize || offset + messageLength > length)
                {
                    break;
                }

                if (*(int*)(control + offset + 8) == SolSocket && *(int*)(control + offset + 12) == ScmRightsType)
                {
                    for (var at = CmsgHeaderSize; at + sizeof(int) <= messageLength; at += sizeof(int))
                    {
                        descriptors.Add(new SafeFileHandle(*(int*)(control + offset + at), ownsHandle: true));
                    }
                }

                offset += (messageLength + 7) & ~7;
            }

            return ((int)read, descriptors, (header.Flags & MsgCtrunc) != 0);
        }
    }

    private static void WaitOrThrow(Socket socket, SelectMode mode, int attempt)
    {
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EIntr)
        {
            return;
        }

        if (errno != EAgain || attempt >= 100)
        {
            throw new SocketException(errno);
        }

        // The socket is non-blocking underneath .NET; wait (bounded) until it is ready.
        socket.Poll(TimeSpan.FromMilliseconds(100), mode);
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static unsafe partial nint SendMsg(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint RecvMsg(int socket, MessageHeader* message, int flags);
}
