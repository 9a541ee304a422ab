using System.Net.Sockets;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Google.Protobuf.WellKnownTypes;
using Sandboxes.Agent.Native;
using Sandboxes.Agent.Processes;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Terminals;

/// <summary>
/// One shell on a pseudo-terminal. Its output goes to every attached viewer in order, with
/// backpressure rather than loss: the terminal reads on only when each viewer has taken the
/// last chunk (a viewer that takes nothing for 30 s is dropped). A new viewer first gets the
/// last 64 KiB, so it sees the screen it joins.
/// </summary>
public sealed class Terminal : IDisposable
{
    private const int ScrollbackBytes = 64 * 1024;
    private const int SigHup = 1;
    private static readonly TimeSpan SlowViewerLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LingerWithoutViewers = TimeSpan.FromSeconds(60);

    private readonly Socket _master;
    private readonly Lock _gate = new();
    private readonly List<Channel<TerminalOutput>> _viewers = [];
    private readonly Queue<byte[]> _scrollback = new();
    private readonly Action<Terminal> _ended;
    private int _scrollbackBytes;
    private TerminalOutput? _exit;
    private CancellationTokenSource? _linger;

    private Terminal(string id, int masterFd, int pid, Task<ProcessExit> exited, uint cols, uint rows, Action<Terminal> ended)
    {
        Id = id;
        Pid = pid;
        Exited = exited;
        Cols = cols;
        Rows = rows;
        _ended = ended;

        // A Socket over the master: reads and writes go through the runtime's epoll loop, so
        // an idle terminal holds no thread.
        _master = new Socket(new SafeSocketHandle(masterFd, ownsHandle: true));
        StartedAt = DateTimeOffset.UtcNow;
        _ = PumpAsync();
    }

    public string Id { get; }

    public int Pid { get; }

    public Task<ProcessExit> Exited { get; }

    public uint Cols { get; private set; }

    public uint Rows { get; private set; }

    public DateTimeOffset StartedAt { get; }

    public int Viewers
    {
        get
        {
            lock (_gate)
            {
                return _viewers.Count;
            }
        }
    }

    public static unsafe Terminal Open(string id, ProcessSpawner spawner, string shell, IReadOnlyList<string> environment, string cwd, uint cols, uint rows, Action<Terminal> ended)
    {
        var master = LibC.PosixOpenPt(LibC.ORdWr | LibC.ONoCtty | LibC.OCloExec);
        if (master < 0)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"no pseudo-terminal available: {Errno.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}"));
        }

        try
        {
            var name = stackalloc byte[128];
            if (LibC.GrantPt(master) != 0 || LibC.UnlockPt(master) != 0 || LibC.PtsNameR(master, name, 128) != 0)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the pseudo-terminal could not be prepared: {Errno.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}"));
            }

            SetSize(master, cols, rows);
            var slave = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)name)!;
            var (pid, exited) = spawner.SpawnOnTerminal(shell, [shell], environment, cwd, slave);
            return new Terminal(id, master, pid, exited, cols, rows, ended);
        }
        catch
        {
            _ = LibC.Close(master);
            throw;
        }
    }

    /// <summary>A new viewer: its channel, primed with the recent output (or the exit, if the shell already ended).</summary>
    public ChannelReader<TerminalOutput> Attach()
    {
        var channel = Channel.CreateBounded<TerminalOutput>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = false });
        lock (_gate)
        {
            _linger?.Cancel();
            _linger?.Dispose();
            _linger = null;
            foreach (var chunk in _scrollback)
            {
                channel.Writer.TryWrite(new TerminalOutput { Data = ByteString.CopyFrom(chunk) });
            }

            if (_exit is not null)
            {
                channel.Writer.TryWrite(_exit);
                channel.Writer.TryComplete();
            }
            else
            {
                _viewers.Add(channel);
            }
        }

        return channel.Reader;
    }

    /// <summary>The viewer left. The last one leaving starts a countdown after which the terminal is closed.</summary>
    public void Detach(ChannelReader<TerminalOutput> viewer)
    {
        lock (_gate)
        {
            _viewers.RemoveAll(c => c.Reader == viewer);
            if (_viewers.Count > 0 || _exit is not null)
            {
                return;
            }

            _linger = new CancellationTokenSource();
            _ = CloseAfterAsync(LingerWithoutViewers, _linger.Token);
        }
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> keystrokes, CancellationToken cancellationToken)
    {
        while (keystrokes.Length > 0)
        {
            var written = await _master.SendAsync(keystrokes, SocketFlags.None, cancellationToken);
            keystrokes = keystrokes[written..];
        }
    }

    public void Resize(uint cols, uint rows)
    {
        if (cols is 0 or > 1000 || rows is 0 or > 1000)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"a terminal is 1 to 1000 columns and rows, not {cols}x{rows}"));
        }

        SetSize((int)_master.SafeHandle.DangerousGetHandle(), cols, rows);
        (Cols, Rows) = (cols, rows);
    }

    /// <summary>Hangs up the shell and everything it started; KILL for what is left after 2 s.</summary>
    public async Task CloseAsync()
    {
        var tree = ProcessTree.Descendants(Pid);
        ProcessTree.Signal(Pid, tree.Append(Pid), SigHup);
        if (await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(2))) != Exited)
        {
            ProcessTree.Signal(Pid, ProcessTree.Descendants(Pid).Append(Pid), LibC.SigKill);
        }
    }

    private static unsafe void SetSize(int fd, uint cols, uint rows)
    {
        var size = new LibC.WindowSize { Columns = (ushort)(cols == 0 ? 80 : cols), Rows = (ushort)(rows == 0 ? 24 : rows) };
        _ = LibC.Ioctl(fd, LibC.TiocSWinSz, &size);
    }

    private async Task CloseAfterAsync(TimeSpan delay, CancellationToken cancelled)
    {
        try
        {
            await Task.Delay(delay, cancelled);
            await CloseAsync();
        }
        catch (OperationCanceledException)
        {
            // A viewer came back.
        }
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[32 * 1024];
        using var shellEnded = new CancellationTokenSource();

        // Once the shell exits, what it printed last is still read; background jobs that keep
        // the terminal open do not keep the terminal alive past that.
        _ = Exited.ContinueWith(_ => shellEnded.CancelAfter(TimeSpan.FromMilliseconds(200)), TaskScheduler.Default);
        try
        {
            while (true)
            {
                var read = await _master.ReceiveAsync(buffer, SocketFlags.None, shellEnded.Token);
                if (read <= 0)
                {
                    break;
                }

                await DeliverAsync(buffer.AsSpan(0, read).ToArray());
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // EIO: every slave descriptor closed. Or the shell ended and its last words were read.
        }

        var exit = await Exited;
        await EndAsync(new TerminalOutput { Exit = new ExitStatus { ExitCode = exit.ExitCode, Signal = exit.Signal } });
    }

    private async Task DeliverAsync(byte[] chunk)
    {
        List<Channel<TerminalOutput>> viewers;
        lock (_gate)
        {
            _scrollback.Enqueue(chunk);
            _scrollbackBytes += chunk.Length;
            while (_scrollbackBytes > ScrollbackBytes && _scrollback.Count > 1)
            {
                _scrollbackBytes -= _scrollback.Dequeue().Length;
            }

            viewers = [.. _viewers];
        }

        var message = new TerminalOutput { Data = ByteString.CopyFrom(chunk) };
        foreach (var viewer in viewers)
        {
            using var slow = new CancellationTokenSource(SlowViewerLimit);
            try
            {
                await viewer.Writer.WriteAsync(message, slow.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                viewer.Writer.TryComplete();
                lock (_gate)
                {
                    _viewers.Remove(viewer);
                }
            }
        }
    }

    private Task EndAsync(TerminalOutput exit)
    {
        lock (_gate)
        {
            _exit = exit;
            foreach (var viewer in _viewers)
            {
                // The exit must not be lost to a full channel: it waits like any output.
                _ = WriteThenCompleteAsync(viewer, exit);
            }

            _viewers.Clear();
            _linger?.Cancel();
        }

        Dispose();
        _ended(this);
        return Task.CompletedTask;
    }

    /// <summary>Closes the master; the shell's side then reads EOF. Called once the shell has ended.</summary>
    public void Dispose()
    {
        _master.Dispose();
        lock (_gate)
        {
            _linger?.Dispose();
            _linger = null;
        }
    }

    private static async Task WriteThenCompleteAsync(Channel<TerminalOutput> viewer, TerminalOutput exit)
    {
        using var slow = new CancellationTokenSource(SlowViewerLimit);
        try
        {
            await viewer.Writer.WriteAsync(exit, slow.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
        }

        viewer.Writer.TryComplete();
    }

    public TerminalInfo Describe() => new()
    {
        Id = Id,
        Pid = Pid,
        Cols = Cols,
        Rows = Rows,
        Viewers = Viewers,
        StartedAt = Timestamp.FromDateTimeOffset(StartedAt),
    };
}
