using System.Security.Cryptography;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Cli;

[Collection(SiloCollection.Name)]
public sealed class CliTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;
    private readonly CliRunner _sbx = new(fixture.Silo);

    [Fact]
    public async Task Create_ls_and_rm()
    {
        var name = _silo.UniqueName("cli");

        var create = await _sbx.RunAsync("create", name, "--cpus", "0.5", "--memory", "300m", "--env", "A=1", "--label", "suite=cli", "--label", $"run={_silo.RunId}");
        var ls = await _sbx.RunAsync("ls", "--label", $"run={_silo.RunId}");
        var env = await _sbx.RunAsync("exec", name, "--", "sh", "-c", "echo $A");
        var rm = await _sbx.RunAsync("rm", name);
        var lsAfter = await _sbx.RunAsync("ls", "--label", $"run={_silo.RunId}");

        Assert.Equal(0, create.ExitCode);
        Assert.Equal(0, ls.ExitCode);
        var lines = ls.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[0]);
        Assert.Contains("LAST ACTIVE", lines[0]);
        Assert.Contains(lines, l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains("running", StringComparison.Ordinal));
        Assert.Equal("1\n", env.Stdout);
        Assert.Equal(0, rm.ExitCode);
        Assert.DoesNotContain(name, lsAfter.Stdout);
        Assert.Empty(await _silo.OwnedContainersAsync(name));
    }

    [Fact]
    public async Task Ls_shows_each_sandboxs_host_and_hosts_lists_drains_and_undrains_them()
    {
        var name = _silo.UniqueName("clihost");
        await _silo.Client.CreateAsync(name);
        var host = (await _silo.Client.Sandbox(name).GetInfoAsync()).Host;

        var ls = await _sbx.RunAsync("ls");
        var hosts = await _sbx.RunAsync("hosts");
        var drain = await _sbx.RunAsync("hosts", "drain", host);
        var undrain = await _sbx.RunAsync("hosts", "undrain", host);
        var unknown = await _sbx.RunAsync("hosts", "drain", "no-such-host");

        var header = ls.Stdout.Split('\n')[0].Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["NAME", "STATE", "HOST", "IMAGE", "CREATED", "LAST ACTIVE"], header);
        Assert.Contains(ls.Stdout.Split('\n'), l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains($" {host} ", StringComparison.Ordinal));
        Assert.Equal(0, hosts.ExitCode);
        Assert.Contains(hosts.Stdout.Split('\n'), l => l.StartsWith(host + " ", StringComparison.Ordinal) && l.Contains("ready", StringComparison.Ordinal));
        Assert.Contains("draining", drain.Stdout, StringComparison.Ordinal);
        Assert.Contains("ready", undrain.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("no host named 'no-such-host'", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_streams_stdout_and_stderr_separately_and_exits_with_the_command_code()
    {
        var name = _silo.UniqueName("cliexec");

        var result = await _sbx.RunAsync("exec", name, "--cwd", "/tmp", "--env", "X=42", "--", "sh", "-c", "echo out $X $(pwd); echo err >&2; exit 5");

        Assert.Equal((5, "out 42 /tmp\n", "err\n"), (result.ExitCode, result.Stdout, result.Stderr));
    }

    [Fact]
    public async Task Exec_forwards_piped_stdin()
    {
        var name = _silo.UniqueName("clistdin");

        var result = await _sbx.RunAsync(["exec", name, "--", "wc", "-c"], stdin: new byte[300_000]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("300000", result.Stdout.Trim());
    }

    [Fact]
    public async Task Exec_timeout_exits_124_and_missing_command_127()
    {
        var name = _silo.UniqueName("clitime");

        var timedOut = await _sbx.RunAsync("exec", name, "--timeout", "1s", "--", "sleep", "30");
        var missing = await _sbx.RunAsync("exec", name, "--", "no-such-command-xyz");
        var badName = await _sbx.RunAsync("exec", "Bad_Name", "--", "true");

        Assert.Equal(124, timedOut.ExitCode);
        Assert.Equal(127, missing.ExitCode);
        Assert.Equal(125, badName.ExitCode);
        Assert.Contains("lowercase DNS label", badName.Stderr);
    }

    [Fact]
    public async Task Put_get_and_files_copy_binary_data_exactly()
    {
        var name = _silo.UniqueName("clifiles");
        Directory.CreateDirectory(_silo.DataRoot);
        var local = Path.Combine(_silo.DataRoot, $"{name}.bin");
        var back = Path.Combine(_silo.DataRoot, $"{name}.back");
        await File.WriteAllBytesAsync(local, RandomNumberGenerator.GetBytes(3_000_000));

        var put = await _sbx.RunAsync("put", name, local, "/data/blob.bin");
        var get = await _sbx.RunAsync("get", name, "/data/blob.bin", back);
        var files = await _sbx.RunAsync("files", name, "/data");

        Assert.Equal(0, put.ExitCode);
        Assert.Equal(0, get.ExitCode);
        Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(back));
        var lines = files.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "TYPE", "SIZE", "MODE", "MODIFIED"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^blob\.bin\s+file\s+3000000\s+0644\s+\d{4}-", lines[1]);
        File.Delete(local);
        File.Delete(back);
    }

    [Fact]
    public async Task Get_of_a_missing_file_fails_without_leaving_a_local_file()
    {
        var name = _silo.UniqueName("climissing");
        Directory.CreateDirectory(_silo.DataRoot);
        var target = Path.Combine(_silo.DataRoot, $"{name}.out");

        var get = await _sbx.RunAsync("get", name, "/no/such/file", target);

        Assert.Equal(125, get.ExitCode);
        Assert.Contains("NotFound", get.Stderr);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(_silo.DataRoot, $".{name}*"));
    }

    [Fact]
    public async Task Put_and_get_round_trip_a_1_GB_file_with_the_same_sha256()
    {
        var name = _silo.UniqueName("cligig");
        Directory.CreateDirectory(_silo.DataRoot);
        var local = Path.Combine(_silo.DataRoot, $"{name}.bin");
        var back = Path.Combine(_silo.DataRoot, $"{name}.back");
        var expected = await WriteRandomFileAsync(local, 1L << 30);

        var put = await _sbx.RunAsync(["put", name, local, "/data/gig.bin"], within: TimeSpan.FromMinutes(5));
        File.Delete(local);
        var get = await _sbx.RunAsync(["get", name, "/data/gig.bin", back], within: TimeSpan.FromMinutes(5));

        Assert.Equal((0, ""), (put.ExitCode, put.Stderr));
        Assert.Equal((0, ""), (get.ExitCode, get.Stderr));
        await using (var file = File.OpenRead(back))
        {
            Assert.Equal(expected, Convert.ToHexStringLower(await SHA256.HashDataAsync(file)));
        }

        File.Delete(back);
        await _silo.Client.Sandbox(name).DestroyAsync();
    }

    private static async Task<string> WriteRandomFileAsync(string path, long size)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[4 << 20];
        await using var file = File.Create(path);
        for (long written = 0; written < size; written += buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            sha.AppendData(buffer);
            await file.WriteAsync(buffer);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
