using System.Globalization;

namespace Sandboxes.Cli;

/// <summary>Reads the human forms of durations ("10s", "5m") and sizes ("512m", "1g").</summary>
public static class Units
{
    public static TimeSpan ParseDuration(string text)
    {
        var (number, unit) = Split(text.Trim());
        var value = double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
        return unit switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "" or "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            "h" => TimeSpan.FromHours(value),
            "d" => TimeSpan.FromDays(value),
            _ => throw new FormatException($"'{text}' is not a duration; use a number with ms, s, m, h or d (for example 10s)"),
        };
    }

    public static ulong ParseSize(string text)
    {
        var (number, unit) = Split(text.Trim().ToLowerInvariant());
        var value = double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
        var multiplier = unit.TrimEnd('b', 'i') switch
        {
            "" => 1UL,
            "k" => 1UL << 10,
            "m" => 1UL << 20,
            "g" => 1UL << 30,
            _ => throw new FormatException($"'{text}' is not a size; use a number with k, m or g (for example 512m)"),
        };
        return (ulong)(value * multiplier);
    }

    public static Dictionary<string, string> ParsePairs(IEnumerable<string>? pairs, string what)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"{what} '{pair}' must look like KEY=VALUE");
            }

            result[pair[..equals]] = pair[(equals + 1)..];
        }

        return result;
    }

    public static string FormatSize(ulong bytes) => bytes switch
    {
        >= 1UL << 30 => $"{bytes / (double)(1UL << 30):0.#}G",
        >= 1UL << 20 => $"{bytes / (double)(1UL << 20):0.#}M",
        >= 1UL << 10 => $"{bytes / (double)(1UL << 10):0.#}K",
        _ => $"{bytes}",
    };

    private static (string Number, string Unit) Split(string text)
    {
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        if (end == 0)
        {
            throw new FormatException($"'{text}' does not start with a number");
        }

        return (text[..end], text[end..]);
    }
}
