using System.Globalization;
using System.Text.RegularExpressions;

namespace Ward.Model.Compose;

/// <summary>The string formats of Ward's own section: times with a zone, dates and environment names.</summary>
public static partial class WardFormats
{
    /// <summary>An ISO 8601 time that names its zone (Z or ±hh:mm): a time without one is ambiguous across teams.</summary>
    public static bool TryParseDateTime(string text, out DateTimeOffset value)
    {
        value = default;
        return ZonedTime().IsMatch(text) &&
               DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>A calendar date, yyyy-MM-dd.</summary>
    public static bool TryParseDate(string text, out DateOnly value) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    /// <summary>Lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters.</summary>
    public static bool IsEnvironmentName(string text) => EnvironmentName().IsMatch(text);

    /// <summary>The message for a string that breaks <paramref name="format"/>, or null when it is fine.</summary>
    public static string? Problem(string format, string value) => format switch
    {
        "date-time" when !TryParseDateTime(value, out _) =>
            $"'{value}' is not a time with a zone; write ISO 8601, e.g. 2026-12-05T02:00:00Z",
        "date" when !TryParseDate(value, out _) => $"'{value}' is not a date; write yyyy-mm-dd, e.g. 2027-01-31",
        "environment-name" when !IsEnvironmentName(value) =>
            $"'{value}' is not an environment name; use lower-case letters, digits and '-' (at most 63), e.g. clinic-prod",
        _ => null,
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex ZonedTime();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentName();
}
