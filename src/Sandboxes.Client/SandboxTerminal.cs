using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>
/// A viewer of a terminal in a sandbox: send keystrokes and resizes, read the output as it
/// comes. Disposing detaches; the terminal itself ends when its shell exits (or 60 s after
/// its last viewer left).
/// </summary>
public sealed class SandboxTerminal : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<TerminalInput, TerminalOutput> _call;
    private readonly SemaphoreSlim _sending = new(1, 1);

    private SandboxTerminal(AsyncDuplexStreamingCall<TerminalInput, TerminalOutput> call, TerminalStarted started)
    {
        _call = call;
        Id = started.Id;
        Pid = started.Pid;
    }

    public string Id { get; }

    /// <summary>The shell's pid inside the sandbox.</summary>
    public int Pid { get; }

    /// <summary>The shell's exit status once <see cref="ReadAsync"/> has seen it.</summary>
    public ExitStatus? Exit { get; private set; }

    internal static async Task<SandboxTerminal> ConnectAsync(Terminals.TerminalsClient client, TerminalInput first, CancellationToken cancellationToken)
    {
        var call = client.Connect(cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(first, cancellationToken);
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                if (call.ResponseStream.Current.OutputCase == TerminalOutput.OutputOneofCase.Started)
                {
                    return new SandboxTerminal(call, call.ResponseStream.Current.Started);
                }
            }

            throw new RpcException(new Status(StatusCode.Unavailable, "the terminal ended before it started"));
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> keystrokes, CancellationToken cancellationToken = default) =>
        await SendAsync(new TerminalInput { Data = ByteString.CopyFrom(keystrokes.Span) }, cancellationToken);

    public Task WriteAsync(string text, CancellationToken cancellationToken = default) =>
        WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    public Task ResizeAsync(uint cols, uint rows, CancellationToken cancellationToken = default) =>
        SendAsync(new TerminalInput { Resize = new TerminalSize { Cols = cols, Rows = rows } }, cancellationToken);

    /// <summary>The terminal's output, chunk by chunk, until the shell exits (then <see cref="Exit"/> is set).</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _call.ResponseStream.MoveNext(cancellationToken))
        {
            var output = _call.ResponseStream.Current;
            if (output.OutputCase == TerminalOutput.OutputOneofCase.Data)
            {
                yield return output.Data.Memory;
            }
            else if (output.OutputCase == TerminalOutput.OutputOneofCase.Exit)
            {
                Exit = output.Exit;
                yield break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
        }

        _call.Dispose();
        _sending.Dispose();
    }

    private async Task SendAsync(TerminalInput input, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _call.RequestStream.WriteAsync(input, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }
}
