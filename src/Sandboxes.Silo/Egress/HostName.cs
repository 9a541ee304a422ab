using System.Globalization;
using System.Text;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// A DNS host name held to the strict form: letters, digits and inner hyphens (LDH), labels of
/// 1 to 63 characters, 253 in all, internationalized labels only as valid punycode (<c>xn--</c>).
/// Strictness is the point: the resolver reads a name as a C string and the allow-list reads
/// it as .NET text, and anything they could disagree on (a NUL, a byte past the ASCII range,
/// a name ending in a number that inet_aton takes for an address) must never reach either.
/// </summary>
public static class HostName
{
    public const int MaxLength = 253;
    public const int MaxLabelLength = 63;

    /// <summary>
    /// The name in lowercase ASCII without a trailing root dot, or false with the reason.
    /// Unicode is converted to punycode only when <paramref name="allowUnicode"/> (operator
    /// configuration); on the wire a client sends the xn-- form, as HTTP requires.
    /// </summary>
    public static bool TryNormalize(string text, bool allowUnicode, out string name, out string error)
    {
        name = "";
        var ascii = text.EndsWith('.') ? text[..^1] : text;
        if (!Ascii.IsValid(ascii))
        {
            if (!allowUnicode)
            {
                error = "it has characters outside ASCII; send an internationalized name in its xn-- (punycode) form";
                return false;
            }

            try
            {
                ascii = new IdnMapping { UseStd3AsciiRules = true }.GetAscii(ascii.ToLowerInvariant());
            }
            catch (ArgumentException)
            {
                error = "it is not a valid internationalized domain name";
                return false;
            }
        }

        ascii = ascii.ToLowerInvariant();
        if (ascii.Length is 0 or > MaxLength)
        {
            error = $"a host name is 1 to {MaxLength} characters long, not {ascii.Length}";
            return false;
        }

        var labels = ascii.Split('.');
        foreach (var label in labels)
        {
            if (!IsLabel(label, out error))
            {
                return false;
            }
        }

        if (EndsInNumber(labels[^1]))
        {
            error = "its last label is a number, which resolvers read as an IPv4 address; write an address as four decimal numbers (1.2.3.4)";
            return false;
        }

        name = ascii;
        error = "";
        return true;
    }

    private static bool IsLabel(string label, out string error)
    {
        error = "";
        if (label.Length is 0 or > MaxLabelLength)
        {
            error = label.Length == 0 ? "it has an empty label (two dots in a row, or a leading dot)" : $"a label is at most {MaxLabelLength} characters long, not {label.Length}";
            return false;
        }

        if (!label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            error = $"the label '{EgressHost.Printable(label)}' has a character other than a letter, a digit or '-'";
            return false;
        }

        if (label.StartsWith('-') || label.EndsWith('-'))
        {
            error = $"the label '{label}' starts or ends with '-'";
            return false;
        }

        if (label.StartsWith("xn--", StringComparison.Ordinal) && !IsPunycode(label))
        {
            error = $"the label '{label}' is not valid punycode";
            return false;
        }

        return true;
    }

    /// <summary>An xn-- label that decodes to letters, digits and marks, and encodes back to itself.</summary>
    private static bool IsPunycode(string label)
    {
        try
        {
            var idn = new IdnMapping { UseStd3AsciiRules = true };
            var unicode = idn.GetUnicode(label);
            return unicode.Length > 0
                && unicode.EnumerateRunes().All(r => Rune.IsLetterOrDigit(r) || r.Value == '-' || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
                && idn.GetAscii(unicode) == label;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>All digits, or 0x and hex digits: what inet_aton (and the URL standard) take as part of an IPv4 address.</summary>
    private static bool EndsInNumber(string label) =>
        label.All(char.IsAsciiDigit)
        || (label.StartsWith("0x", StringComparison.Ordinal) && label[2..].All(char.IsAsciiHexDigitLower));
}
