using System.Globalization;
using System.Text.RegularExpressions;

namespace Ward.Model.Yaml;

/// <summary>
/// Resolves plain scalars the way the YAML 1.2 core schema does (the schema of the Go YAML library that
/// the Docker CLI uses): <c>yes</c>/<c>on</c> stay strings, <c>true</c>/<c>True</c>/<c>TRUE</c> are booleans.
/// </summary>
internal static partial class ScalarResolver
{
    public static ScalarKind Resolve(string text)
    {
        if (text.Length == 0)
        {
            return ScalarKind.Null;
        }

        switch (text)
        {
            case "~" or "null" or "Null" or "NULL":
                return ScalarKind.Null;
            case "true" or "True" or "TRUE" or "false" or "False" or "FALSE":
                return ScalarKind.Bool;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "-.inf" or "-.Inf" or "-.INF" or ".nan" or ".NaN" or ".NAN":
                return ScalarKind.Float;
        }

        var first = text[0];
        if (!(char.IsAsciiDigit(first) || first is '-' or '+' or '.'))
        {
            return ScalarKind.String;
        }

        if (IsInteger(text))
        {
            return ScalarKind.Int;
        }

        // yaml.v3 drops every '_' before it tries a number: 1_000.5 is a float.
        return IsFloat(text.Replace("_", "", StringComparison.Ordinal)) ? ScalarKind.Float : ScalarKind.String;
    }

    public static bool TryGetLong(YScalar scalar, out long value)
    {
        value = 0;
        if (scalar.Kind != ScalarKind.Int)
        {
            return false;
        }

        return TryParseInteger(scalar.Value, out value);
    }

    public static bool TryGetDouble(YScalar scalar, out double value)
    {
        if (scalar.Kind == ScalarKind.Int && TryParseInteger(scalar.Value, out var whole))
        {
            value = whole;
            return true;
        }

        value = 0;
        if (scalar.Kind != ScalarKind.Float)
        {
            return false;
        }

        switch (scalar.Value.TrimStart('+'))
        {
            case ".inf" or ".Inf" or ".INF":
                value = double.PositiveInfinity;
                return true;
            case "-.inf" or "-.Inf" or "-.INF":
                value = double.NegativeInfinity;
                return true;
            case ".nan" or ".NaN" or ".NAN":
                value = double.NaN;
                return true;
        }

        return double.TryParse(scalar.Value.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Parses an integer as yaml.v3 reads plain scalars: it drops every '_' ("1_000" and even "1__0" are numbers), then
    /// reads the rest with Go's strconv.ParseInt(text, 0, 64): 0x/0o/0b prefixes, and a leading 0 means octal (so a file
    /// mode 0440 is 288).
    /// </summary>
    public static bool TryParseInteger(string text, out long value)
    {
        value = 0;
        var span = text.Replace("_", "", StringComparison.Ordinal).AsSpan();
        var negative = false;
        if (span.Length > 0 && span[0] is '-' or '+')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        if (span.IsEmpty)
        {
            return false;
        }

        var radix = 10;
        if (span.Length > 1 && span[0] == '0')
        {
            var prefix = char.ToLowerInvariant(span[1]);
            radix = prefix switch
            {
                'x' => 16,
                'b' => 2,
                _ => 8,
            };
            span = span[(prefix is 'x' or 'o' or 'b' ? 2 : 1)..];
        }

        if (span.IsEmpty)
        {
            return false;
        }

        decimal total = 0;
        foreach (var c in span)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                return false;
            }

            total = (total * radix) + digit;
            if (total > (decimal)long.MaxValue + 1)
            {
                return false;
            }
        }

        if (total > long.MaxValue && !(negative && total == (decimal)long.MaxValue + 1))
        {
            return false;
        }

        value = negative ? (long)-total : (long)total;
        return true;
    }

    /// <summary>
    /// Whether the CLI's YAML library (yaml.v3) decodes this plain scalar as a timestamp: four digits and '-', then one
    /// of the layouts 2006-1-2, 2006-1-2T15:4:5.999999999Z07:00 (also with 't') or 2006-1-2 15:4:5.999999999, with the
    /// ranges Go's time.Parse checks (month 1-12, a day that exists in that month, hour below 24).
    /// </summary>
    public static bool IsTimestamp(string text)
    {
        // Nearly every scalar fails this at once; the expression below runs only for text shaped like yyyy-...
        if (text.Length < 8 || text[4] != '-' || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[3]))
        {
            return false;
        }

        var match = Timestamp().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var year = int.Parse(match.Groups["y"].ValueSpan, CultureInfo.InvariantCulture);
        var month = int.Parse(match.Groups["mo"].ValueSpan, CultureInfo.InvariantCulture);
        var day = int.Parse(match.Groups["d"].ValueSpan, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month))
        {
            return false;
        }

        if (!match.Groups["h"].Success)
        {
            return true;
        }

        var hour = int.Parse(match.Groups["h"].ValueSpan, CultureInfo.InvariantCulture);
        var minute = int.Parse(match.Groups["mi"].ValueSpan, CultureInfo.InvariantCulture);
        var second = int.Parse(match.Groups["s"].ValueSpan, CultureInfo.InvariantCulture);
        return hour < 24 && minute < 60 && second < 60 &&
               (!match.Groups["zh"].Success ||
                (int.Parse(match.Groups["zh"].ValueSpan, CultureInfo.InvariantCulture) <= 24 && int.Parse(match.Groups["zm"].ValueSpan, CultureInfo.InvariantCulture) <= 60));
    }

    private static bool IsInteger(string text) => TryParseInteger(text, out _);

    // A space separates date and time only without a zone; 'T' or 't' only with one (Z or ±hh:mm).
    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?<mo>[0-9]{1,2})-(?<d>[0-9]{1,2})(?:(?: (?<h>[0-9]{1,2}):(?<mi>[0-9]{1,2}):(?<s>[0-9]{1,2})(?:[.,][0-9]+)?)|(?:[Tt](?<h>[0-9]{1,2}):(?<mi>[0-9]{1,2}):(?<s>[0-9]{1,2})(?:[.,][0-9]+)?(?:Z|[+-](?<zh>[0-9]{2}):(?<zm>[0-9]{2}))))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Timestamp();

    private static bool IsFloat(string text)
    {
        // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
        var i = 0;
        if (text[i] is '-' or '+')
        {
            i++;
        }

        var digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
            digits++;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '-' or '+')
            {
                i++;
            }

            var exponentDigits = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
                exponentDigits++;
            }

            if (exponentDigits == 0)
            {
                return false;
            }
        }

        return i == text.Length;
    }
}
