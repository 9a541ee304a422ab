using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Egress;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Git;

/// <summary>Clones from a git server the test runs on the host's loopback, reached only through the egress proxy.</summary>
[Collection(EgressCollection.Name)]
public sealed class GitCheckoutTests(EgressFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;
    private readonly GitServer _git = fixture.Git;

    [Fact]
    public async Task A_git_protocol_clone_streams_progress_and_checks_out_the_default_branch()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("git"));
        var progress = new List<GitProgress>();

        var result = await box.GitCheckoutAsync(_git.GitUrl, progress: new Collect(progress));

        Assert.Equal(("/workspace/repo", "main", _git.MainCommit), (result.Directory, result.Branch, result.Commit));
        Assert.Contains(progress, p => p.Line.StartsWith("Cloning into '/workspace/repo'", StringComparison.Ordinal));
        Assert.Contains(progress, p => p is { Phase: "Receiving objects", Percent: 100 });
        Assert.Equal("hello from the test repository\n", await box.Files.ReadTextAsync("/workspace/repo/README.md"));
        var remote = await box.ExecAsync("git -C /workspace/repo remote get-url origin && git -C /workspace/repo log --oneline | wc -l");
        Assert.Equal($"{_git.GitUrl}\n2\n", remote.Stdout);
    }

    [Fact]
    public async Task An_http_clone_of_a_branch_with_depth_goes_to_the_directory_given()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("git"));
        var before = _git.HttpRequests;

        var result = await box.GitCheckoutAsync(_git.HttpUrl, new GitCheckoutOptions { Branch = "feature", Depth = 1, TargetDir = "nested/feat" });

        Assert.Equal(("/workspace/nested/feat", "feature", _git.FeatureCommit), (result.Directory, result.Branch, result.Commit));
        var history = await box.ExecAsync("git rev-list --count HEAD && cat feature.txt", new ExecOptions { Cwd = result.Directory });
        Assert.Equal("1\nonly on the feature branch\n", history.Stdout);
        Assert.True(_git.HttpRequests > before, "the clone went to the test's HTTP server");
    }

    [Fact]
    public async Task A_tag_checks_out_detached_at_its_commit()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("git"));

        var result = await box.GitCheckoutAsync(_git.GitUrl, new GitCheckoutOptions { Branch = "v1", TargetDir = "/srv/tagged" });

        Assert.Equal(("/srv/tagged", "HEAD", _git.MainCommit), (result.Directory, result.Branch, result.Commit));
    }

    [Fact]
    public async Task A_missing_branch_or_repository_is_NotFound_quoting_git()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("git"));

        var branch = await Assert.ThrowsAsync<RpcException>(() => box.GitCheckoutAsync(_git.GitUrl, new GitCheckoutOptions { Branch = "no-such-branch" }));
        Assert.Equal(StatusCode.NotFound, branch.StatusCode);
        Assert.Contains("Remote branch no-such-branch not found in upstream origin", branch.Status.Detail, StringComparison.Ordinal);

        var repository = await Assert.ThrowsAsync<RpcException>(() => box.GitCheckoutAsync($"git://127.0.0.1:{_git.DaemonPort}/missing.git"));
        Assert.Equal(StatusCode.NotFound, repository.StatusCode);
        Assert.Contains("fatal:", repository.Status.Detail, StringComparison.Ordinal);

        var overHttp = await Assert.ThrowsAsync<RpcException>(() => box.GitCheckoutAsync($"http://127.0.0.1:{_git.HttpPort}/missing.git"));
        Assert.Equal(StatusCode.NotFound, overHttp.StatusCode);
        Assert.False((await box.Files.ExistsAsync("/workspace/missing")), "a failed clone leaves no directory");
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/repo.git", "", "is not an http://, https:// or git:// URL")]
    [InlineData("/etc", "", "is not an http://, https:// or git:// URL")]
    [InlineData("http://user:secret@127.0.0.1/repo.git", "", "credentials never enter a sandbox")]
    [InlineData("git://127.0.0.1/repo.git", "--upload-pack=touch /tmp/pwned", "is not a valid branch or tag name")]
    [InlineData("git://127.0.0.1/repo.git", "a..b", "is not a valid branch or tag name")]
    [InlineData("git://127.0.0.1/has space.git", "", "without spaces")]
    public async Task Bad_urls_and_branches_are_InvalidArgument_before_git_runs(string url, string branch, string message)
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("git"));

        var error = await Assert.ThrowsAsync<RpcException>(() => box.GitCheckoutAsync(url, new GitCheckoutOptions { Branch = branch }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_the_proxy_refuses_is_PermissionDenied_with_the_proxys_reason()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("git"));
        var unlisted = FreePorts.Next();

        var overGit = await Assert.ThrowsAsync<RpcException>(() => box.GitCheckoutAsync($"git://127.0.0.1:{unlisted}/repo.git"));
        Assert.Equal(StatusCode.PermissionDenied, overGit.StatusCode);
        Assert.Contains("not in Egress:AllowedHosts", overGit.Status.Detail, StringComparison.Ordinal);

        var overHttp = await Assert.ThrowsAsync<RpcException>(() => box.GitCheckoutAsync($"http://127.0.0.1:{unlisted}/repo.git"));
        Assert.Equal(StatusCode.PermissionDenied, overHttp.StatusCode);
    }

    [Fact]
    public async Task An_https_clone_the_proxy_refuses_is_PermissionDenied_from_the_proxys_record()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("git"));
        var unlisted = FreePorts.Next();

        // git prints "CONNECT tunnel failed, response 403" here, wording it never used for the
        // other protocols; the silo goes by what its proxy refused instead.
        var error = await Assert.ThrowsAsync<RpcException>(() => box.GitCheckoutAsync($"https://127.0.0.1:{unlisted}/repo.git"));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains($"127.0.0.1:{unlisted}", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("not in Egress:AllowedHosts", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_before_the_clone_began_does_not_turn_a_missing_repository_into_PermissionDenied()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("git"));
        var fetch = $"import urllib.error, urllib.request\ntry:\n    urllib.request.urlopen('http://127.0.0.1:{FreePorts.Next()}/', timeout=30)\nexcept urllib.error.HTTPError as e:\n    print(e.code)";
        var refused = await box.ExecAsync(["python3", "-c", fetch], new ExecOptions { Env = new Dictionary<string, string> { ["NO_PROXY"] = "", ["no_proxy"] = "" } });
        Assert.Equal("403\n", refused.Stdout);

        var error = await Assert.ThrowsAsync<RpcException>(() => box.GitCheckoutAsync($"http://127.0.0.1:{_git.HttpPort}/missing.git"));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task A_non_empty_target_is_AlreadyExists_and_keeps_its_files()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("git"));
        await box.ExecAsync("mkdir -p /workspace/taken && printf mine > /workspace/taken/keep.txt");

        var error = await Assert.ThrowsAsync<RpcException>(() => box.GitCheckoutAsync(_git.GitUrl, new GitCheckoutOptions { TargetDir = "taken" }));

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Contains("already exists and is not an empty directory", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("mine", await box.Files.ReadTextAsync("/workspace/taken/keep.txt"));
    }

    [Fact]
    public async Task A_clone_cut_by_its_timeout_leaves_no_partial_directory()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("git"));

        var error = await Assert.ThrowsAsync<RpcException>(() => box.GitCheckoutAsync(_git.GitUrl, new GitCheckoutOptions { TargetDir = "cut", Timeout = TimeSpan.FromMilliseconds(1) }));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.False(await box.Files.ExistsAsync("/workspace/cut"), "the partial clone was removed");
    }

    [Fact]
    public async Task Sbx_git_clone_prints_where_and_what_it_checked_out()
    {
        var name = _silo.UniqueName("git");

        var cli = await new CliRunner(_silo).RunAsync("git", "clone", name, _git.GitUrl, "--branch", "feature", "--dir", "/opt/src", "--depth", "1");

        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Equal($"/opt/src feature {_git.FeatureCommit}\n", cli.Stdout);
        Assert.Contains("Receiving objects: 100%", cli.Stderr, StringComparison.Ordinal);
    }

    private sealed class Collect(List<GitProgress> into) : IProgress<GitProgress>
    {
        public void Report(GitProgress value) => into.Add(value);
    }
}
