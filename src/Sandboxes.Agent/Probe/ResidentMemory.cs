using System.Globalization;

namespace Sandboxes.Agent.Probe;

/// <summary>The agent's resident set size, from /proc/self/statm.</summary>
public static class ResidentMemory
{
    public static long Bytes()
    {
        try
        {
            // statm: size resident shared text lib data dt, counted in pages.
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
