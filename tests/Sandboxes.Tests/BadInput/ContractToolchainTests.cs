using System.Diagnostics;
using System.Text.RegularExpressions;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.BadInput;

/// <summary>
/// The public contract compiles with the protoc Debian 12 packages for Python
/// (python3-grpc-tools bundles protoc 3.5), which rejects proto3 `optional` fields.
/// </summary>
public sealed partial class ContractToolchainTests
{
    private const string DebianPython = "/usr/bin/python3";
    private const string DebianProtoInclude = "/usr/lib/python3/dist-packages/grpc_tools/_proto";

    [Theory]
    [InlineData("sandboxes.proto")]
    [InlineData("agent.proto")]
    public void No_field_uses_the_optional_label_that_protoc_before_3_15_rejects(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(TestEnvironment.RepositoryRoot, "src", "Protos", file));

        var optional = lines.Select((line, i) => (Line: line, Number: i + 1)).Where(l => OptionalField().IsMatch(l.Line)).ToList();

        Assert.True(optional.Count == 0, $"{file} declares proto3 optional fields: {string.Join("; ", optional.Select(l => $"line {l.Number}: {l.Line.Trim()}"))}");
    }

    [Fact]
    public async Task Debians_packaged_protoc_compiles_the_contract_when_it_is_installed()
    {
        // python3-grpc-tools is not part of the test host; where it is, it has the last word.
        if (!File.Exists(Path.Combine(DebianProtoInclude, "google", "protobuf", "duration.proto")))
        {
            Assert.DoesNotContain(File.ReadLines(Path.Combine(TestEnvironment.RepositoryRoot, "src", "Protos", "sandboxes.proto")), l => OptionalField().IsMatch(l));
            return;
        }

        var output = Directory.CreateTempSubdirectory("sbx-protoc-");
        try
        {
            var protos = Path.Combine(TestEnvironment.RepositoryRoot, "src", "Protos");
            var start = new ProcessStartInfo(DebianPython, ["-m", "grpc_tools.protoc", $"-I{protos}", $"-I{DebianProtoInclude}", $"--python_out={output.FullName}", $"--grpc_python_out={output.FullName}", "sandboxes.proto", "agent.proto"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var protoc = Process.Start(start)!;
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var stderr = protoc.StandardError.ReadToEndAsync(bound.Token);
            await protoc.WaitForExitAsync(bound.Token);

            Assert.True(protoc.ExitCode == 0, $"protoc 3.5 failed: {await stderr}");
            Assert.True(File.Exists(Path.Combine(output.FullName, "sandboxes_pb2_grpc.py")), "protoc wrote the Python stubs");
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    // A field line whose label is `optional` (comments and the word in prose do not count).
    [GeneratedRegex(@"^\s*optional\s+[\w.]+\s+\w+\s*=\s*\d+")]
    private static partial Regex OptionalField();
}
