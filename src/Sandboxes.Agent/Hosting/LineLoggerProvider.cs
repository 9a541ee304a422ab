namespace Sandboxes.Agent.Hosting;

/// <summary>
/// One line per message on standard output, in the format the console logger's single-line
/// mode writes: <c>14:02:11.123 info: Category[7] message</c>. The console logger itself
/// brought five options types into the agent's start, each built by Native AOT's type loader
/// at run time (6 ms of a 33 ms start, median of 15 boots on the host); this needs none.
/// The agent logs little, so each line is written as it comes.
/// </summary>
public sealed class LineLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new LineLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class LineLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (exception is not null)
            {
                message = $"{message} {exception}";
            }

            Console.Out.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {Level(logLevel)}: {category}[{eventId.Id}] {message.ReplaceLineEndings(" ")}");
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }
}
