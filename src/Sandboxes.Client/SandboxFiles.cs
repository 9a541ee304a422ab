using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>Files inside one sandbox. Large files stream in 1 MiB chunks both ways.</summary>
public sealed class SandboxFiles
{
    private const int ChunkSize = 1 << 20;

    private readonly SandboxClient _client;
    private readonly string _sandbox;

    internal SandboxFiles(SandboxClient client, string sandbox)
    {
        _client = client;
        _sandbox = sandbox;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, replacing it atomically when done.</summary>
    public async Task<FileEntry> WriteAsync(string path, Stream content, WriteFileOptions? options = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new WriteFileOptions();
        using var call = _client.Files.Write(cancellationToken: cancellationToken);
        var header = new WriteFileHeader { Sandbox = _sandbox, Path = path, Mode = (uint)(options.Mode ?? 0), MakeParents = options.MakeParents };
        await call.RequestStream.WriteAsync(new WriteFileInput { Header = header }, cancellationToken);
        // Two buffers: the next chunk is read into one while the other is sent. The message
        // wraps its buffer without a copy; WriteAsync has serialised it when it completes,
        // so the buffer is free again for the read after next. Not pooled: a read still
        // pending when the call fails may finish into it later.
        byte[][] buffers = [new byte[ChunkSize], new byte[ChunkSize]];
        try
        {
            long sent = 0;
            var current = 0;
            var reading = content.ReadAtLeastAsync(buffers[current], ChunkSize, throwOnEndOfStream: false, cancellationToken);
            int read;
            while ((read = await reading) > 0)
            {
                var data = UnsafeByteOperations.UnsafeWrap(buffers[current].AsMemory(0, read));
                current = 1 - current;
                reading = content.ReadAtLeastAsync(buffers[current], ChunkSize, throwOnEndOfStream: false, cancellationToken);
                await call.RequestStream.WriteAsync(new WriteFileInput { Data = data }, cancellationToken);
                sent += read;
                progress?.Report(sent);
            }
        }
        catch (RpcException)
        {
            // The server ended the call early; its status says why.
            return await call;
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }

    public Task<FileEntry> WriteAsync(string path, byte[] content, WriteFileOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteAsync(path, new MemoryStream(content, writable: false), options, null, cancellationToken);

    public Task<FileEntry> WriteTextAsync(string path, string text, WriteFileOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteAsync(path, Encoding.UTF8.GetBytes(text), options, cancellationToken);

    /// <summary>Copies the file at <paramref name="path"/> into <paramref name="destination"/>.</summary>
    public async Task<long> ReadAsync(string path, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        using var call = _client.Files.Read(new ReadFileRequest { Sandbox = _sandbox, Path = path }, cancellationToken: cancellationToken);
        long received = 0;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            await destination.WriteAsync(chunk.Data.Memory, cancellationToken);
            received += chunk.Data.Length;
            progress?.Report(received);
        }

        return received;
    }

    public async Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await ReadAsync(path, buffer, null, cancellationToken);
        return buffer.ToArray();
    }

    public async Task<string> ReadTextAsync(string path, CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(await ReadAllBytesAsync(path, cancellationToken));

    public Task<FileEntry> StatAsync(string path, CancellationToken cancellationToken = default) =>
        _client.Files.StatAsync(Path(path), cancellationToken: cancellationToken).ResponseAsync;

    public async Task<IReadOnlyList<FileEntry>> ListAsync(string path, bool recursive = false, CancellationToken cancellationToken = default) =>
        (await _client.Files.ListAsync(new ListFilesRequest { Sandbox = _sandbox, Path = path, Recursive = recursive }, cancellationToken: cancellationToken)).Entries;

    /// <summary>Creates the directory and any missing parents.</summary>
    public Task<FileEntry> MakeDirectoryAsync(string path, CancellationToken cancellationToken = default) =>
        _client.Files.MakeDirectoryAsync(Path(path), cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Deletes a file, or a directory tree when <paramref name="recursive"/>. False when nothing was there.</summary>
    public async Task<bool> DeleteAsync(string path, bool recursive = false, CancellationToken cancellationToken = default) =>
        (await _client.Files.DeleteAsync(new DeleteRequest { Sandbox = _sandbox, Path = path, Recursive = recursive }, cancellationToken: cancellationToken)).Existed;

    public Task<FileEntry> MoveAsync(string from, string to, bool overwrite = false, CancellationToken cancellationToken = default) =>
        _client.Files.MoveAsync(new MoveRequest { Sandbox = _sandbox, From = from, To = to, Overwrite = overwrite }, cancellationToken: cancellationToken).ResponseAsync;

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        (await _client.Files.ExistsAsync(Path(path), cancellationToken: cancellationToken)).Exists;

    private PathRequest Path(string path) => new() { Sandbox = _sandbox, Path = path };
}
