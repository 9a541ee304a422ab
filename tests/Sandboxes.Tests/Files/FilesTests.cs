using System.Security.Cryptography;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Files;

[Collection(SiloCollection.Name)]
public sealed class FilesTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task A_100_MB_binary_file_round_trips_with_the_same_sha256()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("big"));
        var local = Path.Combine(_silo.DataRoot, "big.bin");
        Directory.CreateDirectory(_silo.DataRoot);
        await WriteRandomFileAsync(local, 100 << 20);

        await using (var source = File.OpenRead(local))
        {
            var written = await box.Files.WriteAsync("/data/big.bin", source);
            Assert.Equal(100UL << 20, written.Size);
        }

        using var sha = SHA256.Create();
        await using (var hashing = new CryptoStream(Stream.Null, sha, CryptoStreamMode.Write))
        {
            await box.Files.ReadAsync("/data/big.bin", hashing);
        }

        Assert.Equal(await Sha256Async(local), Convert.ToHexStringLower(sha.Hash!));
        var inside = await box.ExecAsync("sha256sum /data/big.bin | cut -d' ' -f1");
        Assert.Equal(await Sha256Async(local), inside.Stdout.Trim());
        File.Delete(local);
    }

    [Fact]
    public async Task Stat_list_mkdir_move_exists_and_delete_work_together()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("ops"));

        await box.Files.MakeDirectoryAsync("/work/a/b");
        await box.Files.WriteTextAsync("/work/a/b/note.txt", "hello", new Client.WriteFileOptions { Mode = Convert.ToInt32("600", 8) });
        var moved = await box.Files.MoveAsync("/work/a/b/note.txt", "/work/a/renamed.txt");
        var flat = await box.Files.ListAsync("/work/a");
        var tree = await box.Files.ListAsync("/work", recursive: true);

        Assert.Equal("/work/a/renamed.txt", moved.Path);
        Assert.Equal(Convert.ToUInt32("600", 8), moved.Mode);
        Assert.Equal(5UL, moved.Size);
        Assert.Equal(["b", "renamed.txt"], flat.Select(e => e.Name).Order().ToArray());
        Assert.Contains(tree, e => e.Path == "/work/a/b" && e.Type == FileType.Directory);
        Assert.Equal("hello", await box.Files.ReadTextAsync("/work/a/renamed.txt"));
        Assert.True(await box.Files.ExistsAsync("/work/a/renamed.txt"));
        Assert.False(await box.Files.ExistsAsync("/work/a/b/note.txt"));

        var refused = await Assert.ThrowsAsync<RpcException>(() => box.Files.DeleteAsync("/work"));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.True(await box.Files.DeleteAsync("/work", recursive: true));
        Assert.False(await box.Files.DeleteAsync("/work", recursive: true));
    }

    [Fact]
    public async Task A_zero_byte_file_round_trips()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("empty"));

        var written = await box.Files.WriteAsync("empty.txt", Array.Empty<byte>());
        var read = await box.Files.ReadAllBytesAsync("/root/empty.txt");

        Assert.Equal(("/root/empty.txt", 0UL), (written.Path, written.Size));
        Assert.Empty(read);
    }

    [Fact]
    public async Task A_large_upload_that_breaks_midway_leaves_the_old_file_and_no_temp_file()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("broken"));
        await box.Files.WriteTextAsync("/data/keep.bin", "original");

        await Assert.ThrowsAnyAsync<Exception>(() => box.Files.WriteAsync("/data/keep.bin", new FailingStream(failAfter: 20 << 20)));

        Assert.Equal("original", await box.Files.ReadTextAsync("/data/keep.bin"));
        await Eventually.WaitAsync(
            async () => (await box.ExecAsync("ls -A /data")).Stdout,
            listing => listing == "keep.bin\n",
            TimeSpan.FromSeconds(10),
            "the abandoned temp file to be removed");
    }

    [Fact]
    public async Task A_large_upload_to_a_directory_is_refused_before_its_bytes_are_sent()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("refused"));
        await box.Files.MakeDirectoryAsync("/data/dir");

        // The stream would never end: only an early refusal lets this call return.
        var error = await Assert.ThrowsAsync<RpcException>(() => box.Files.WriteAsync("/data/dir", new FailingStream(failAfter: 1L << 40)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("is a directory", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symlink_planted_in_place_of_the_handoff_socket_is_never_followed()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("planted"));
        await box.Files.WriteTextAsync("/data/x", "x");

        // From the silo's side this path would lead to another sandbox's, or the host's, socket.
        await box.ExecAsync("rm -f /.sandboxes/run/handoff.sock && ln -s /var/run/docker.sock /.sandboxes/run/handoff.sock");
        var error = await Assert.ThrowsAsync<RpcException>(() => box.Files.ReadTextAsync("/data/x"));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("symlink", error.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>Yields random bytes, then fails like a client whose disk or network broke.</summary>
    private sealed class FailingStream(long failAfter) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAfter)
            {
                throw new IOException("the source broke on purpose");
            }

            var n = (int)Math.Min(count, failAfter - _position);
            RandomNumberGenerator.Fill(buffer.AsSpan(offset, n));
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static async Task WriteRandomFileAsync(string path, int size)
    {
        var buffer = new byte[1 << 20];
        await using var file = File.Create(path);
        for (var written = 0; written < size; written += buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            await file.WriteAsync(buffer);
        }
    }

    private static async Task<string> Sha256Async(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }
}
