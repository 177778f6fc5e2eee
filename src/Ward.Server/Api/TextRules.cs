using Ward.Model.Compose;

namespace Ward.Server.Api;

/// <summary>
/// What people may write into names and short text that the server stores, shows to others and writes into the audit
/// log: bounded lengths, and none of the characters that hide or disguise text (controls, NUL, bidirectional
/// overrides) or that a page could take for markup (&lt; and &gt;). Messages say what is allowed, never repeat the value.
/// </summary>
public static class TextRules
{
    public const int UserNameLength = 64;
    public const int DisplayNameLength = 128;
    public const int TokenNameLength = 64;
    public const int FileNameLength = 255;
    public const int LabelKeyLength = 255;
    public const int LabelValueLength = 1024;

    /// <summary>Sign-in takes longer passwords than a new password may be (256), so an old long one still signs in; beyond this it is no password.</summary>
    public const int PasswordLength = 1024;

    /// <summary>Any other text field, query value or path segment.</summary>
    public const int TextLength = 1024;

    public const int QueryLength = 256;

    public static string? UserNameProblem(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > UserNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@')
            ? $"a user name is 1-{UserNameLength} letters, digits, '.', '-', '_' or '@'"
            : null;

    /// <summary>A name people give (a display name, a token's name, a file name): any letters and punctuation of any script, on one line.</summary>
    public static string? NameProblem(string value, int maximum)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maximum)
        {
            return $"give 1 to {maximum} characters, not only spaces";
        }

        return Disguising(value) is { } found ? $"{found} are not allowed in a name" : value.AsSpan().ContainsAny('<', '>') ? "'<' and '>' are not allowed in a name" : null;
    }

    public static string? EnvironmentNameProblem(string value) =>
        WardFormats.IsEnvironmentName(value) ? null : "an environment name is lower-case letters, digits and '-' (at most 63), starting with a letter or digit";

    public static string? LabelProblem(string key, string value)
    {
        if (key.Length is 0 or > LabelKeyLength || Disguising(key) is not null || key.Any(char.IsWhiteSpace))
        {
            return $"a label key is 1 to {LabelKeyLength} characters without spaces or control characters";
        }

        return value.Length > LabelValueLength || Disguising(value) is not null
            ? $"a label value is at most {LabelValueLength} characters without control characters"
            : null;
    }

    /// <summary>Short text that is none of the above (a role, a code, a query value): bounded, no control characters.</summary>
    public static string? TextProblem(string value, int maximum) =>
        value.Length > maximum ? $"at most {maximum} characters"
        : Disguising(value) is { } found ? $"{found} are not allowed"
        : null;

    /// <summary>What in the text could hide or disguise it, described; null when nothing.</summary>
    private static string? Disguising(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c))
            {
                return "control characters (such as NUL or line breaks)";
            }

            if (c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                return "bidirectional formatting characters (such as right-to-left overrides)";
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "broken characters (unpaired surrogates)";
            }
        }

        return null;
    }
}
