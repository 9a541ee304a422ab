using System.Text;

namespace Sandboxes.Agent.Sessions;

/// <summary>
/// The one line the agent writes to a session shell for each command. The command runs
/// through eval in the shell itself (not a subshell), so cd, export and functions stay;
/// the call's own variables are assignments in front of eval, which bash keeps for that
/// command only. Output goes to the command's FIFOs, and the status to fd 3.
/// </summary>
public static class SessionScript
{
    public static string Build(long sequence, string command, IEnumerable<KeyValuePair<string, string>> env, string? cwd, string stdoutFifo, string stderrFifo)
    {
        var line = new StringBuilder("{ ");
        if (cwd is not null)
        {
            line.Append("cd -- ").Append(Quote(cwd)).Append(" && ");
        }

        foreach (var (name, value) in env)
        {
            line.Append(name).Append('=').Append(Quote(value)).Append(' ');
        }

        line.Append("eval ").Append(Quote(command)).Append("; } >").Append(Quote(stdoutFifo))
            .Append(" 2>").Append(Quote(stderrFifo)).Append(" </dev/null; printf '%s %s\\n' ")
            .Append(sequence).Append(" \"$?\" >&3\n");
        return line.ToString();
    }

    /// <summary>A shell word for <paramref name="value"/>: single quotes, with each ' written as '\''.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>True for a name bash accepts in an assignment.</summary>
    public static bool IsVariableName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
