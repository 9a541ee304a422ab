using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>
/// Many creates, a few at a time, spread over a cluster's silos, as a busy client would send
/// them: a create refused for a busy host (RESOURCE_EXHAUSTED) is counted and retried after
/// the delay its message suggests, as the message asks.
/// </summary>
public static partial class CreateBurst
{
    private const int MaxAttempts = 10;
    private static readonly TimeSpan AttemptBound = TimeSpan.FromSeconds(60);

    /// <summary>How one burst went; <paramref name="LeftOver"/> names the sandboxes its cleanup could not destroy.</summary>
    public sealed record Outcome(TimeSpan Elapsed, int Made, int Refused, IReadOnlyList<string> Failures, IReadOnlyDictionary<string, int> ByHost, IReadOnlyList<string> LeftOver);

    /// <summary>Creates <paramref name="creates"/> sandboxes named PREFIX-i through the gateways in turn; then destroys them all, untimed.</summary>
    public static async Task<Outcome> RunAsync(IReadOnlyList<SandboxClient> gateways, string prefix, int creates, int concurrency, CancellationToken cancellationToken)
    {
        var options = new SandboxOptions { Labels = { ["burst"] = prefix } };
        var refused = 0;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, creates), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var name = $"{prefix}-{i.ToString(CultureInfo.InvariantCulture)}";
            for (var attempt = 1; ; attempt++)
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
                bound.CancelAfter(AttemptBound);
                try
                {
                    await gateways[i % gateways.Count].CreateAsync(name, options, host: null, bound.Token);
                    return;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && attempt < MaxAttempts)
                {
                    Interlocked.Increment(ref refused);
                    await Task.Delay(RetryAfter(e.Status.Detail), ct);
                }
                catch (Exception e) when ((e is RpcException or OperationCanceledException) && !ct.IsCancellationRequested)
                {
                    lock (failures)
                    {
                        failures.Add($"{name}: {e.Message}");
                    }

                    return;
                }
            }
        });
        var elapsed = clock.Elapsed;

        var made = await gateways[0].ListAsync(new Dictionary<string, string> { ["burst"] = prefix }, cancellationToken);
        var byHost = made.GroupBy(s => s.Host).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new Outcome(elapsed, made.Count, refused, failures, byHost, await DestroyAsync(gateways, made, concurrency, cancellationToken));
    }

    /// <summary>Destroys the burst's sandboxes through every silo in turn, a few tries each; returns what is left.</summary>
    private static async Task<IReadOnlyList<string>> DestroyAsync(IReadOnlyList<SandboxClient> gateways, IReadOnlyList<SandboxInfo> made, int concurrency, CancellationToken cancellationToken)
    {
        var left = new List<string>();
        await Parallel.ForEachAsync(made.Select((box, i) => (box.Name, i)), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (box, ct) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await gateways[box.i % gateways.Count].Sandbox(box.Name).DestroyAsync(ct);
                    return;
                }
                catch (RpcException e) when (!ct.IsCancellationRequested)
                {
                    if (attempt == 3)
                    {
                        lock (left)
                        {
                            left.Add($"{box.Name}: {e.StatusCode} {e.Status.Detail}");
                        }

                        return;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
                }
            }
        });
        return left;
    }

    /// <summary>The "Retry in N s" of StartAdmission's refusal; two seconds when a refusal names none.</summary>
    private static TimeSpan RetryAfter(string detail) =>
        RetryHint().Match(detail) is { Success: true } m && int.TryParse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 20))
            : TimeSpan.FromSeconds(2);

    [GeneratedRegex(@"Retry in (\d+) s")]
    private static partial Regex RetryHint();
}
