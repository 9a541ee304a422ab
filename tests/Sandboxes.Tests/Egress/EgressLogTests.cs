using Microsoft.Extensions.Logging;
using Sandboxes.Silo.Egress;

namespace Sandboxes.Tests.Egress;

/// <summary>A sandbox in a refusal loop cannot grow the silo's log faster than a few lines a minute.</summary>
public sealed class EgressLogTests
{
    [Fact]
    public void Refusals_past_the_minutes_allowance_are_counted_in_one_line_instead_of_logged_one_by_one()
    {
        var lines = new Lines();
        var time = new SteppedTime();
        var refusals = new EgressRefusals();
        var log = new EgressLog(lines, refusals, time);

        for (var i = 0; i < 10_000; i++)
        {
            log.Denied("looping", $"host{i}.example", 443, "not on the allow-list");
        }

        log.Denied("quiet", "one.example", 443, "not on the allow-list");

        Assert.Equal(EgressLog.RefusalsLoggedPerMinute + 1, lines.Count);
        Assert.NotNull(refusals.RefusedSince("looping", "host9999.example", 0));

        time.Advance(TimeSpan.FromMinutes(1));
        log.Denied("looping", "again.example", 443, "not on the allow-list");
        Assert.Contains(lines.Messages, m => m.Contains("9980 more refusals", StringComparison.Ordinal));
        Assert.Contains(lines.Messages, m => m.Contains("again.example", StringComparison.Ordinal));
    }

    private sealed class SteppedTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private sealed class Lines : ILogger<EgressLog>
    {
        public List<string> Messages { get; } = [];

        public int Count => Messages.Count;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }
}
