using System.Globalization;

namespace Ward.Model.Yaml;

/// <summary>
/// Resolves plain scalars the way the YAML 1.2 core schema does (the schema of the Go YAML library that
/// the Docker CLI uses): <c>yes</c>/<c>on</c> stay strings, <c>true</c>/<c>True</c>/<c>TRUE</c> are booleans.
/// </summary>
public static class ScalarResolver
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

        return IsFloat(text) ? ScalarKind.Float : ScalarKind.String;
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
        return scalar.Kind == ScalarKind.Float &&
               double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Parses an integer as Go's strconv.ParseInt(text, 0, 64) does, which is how the CLI's YAML library reads
    /// plain scalars: 0x/0o/0b prefixes, a leading 0 means octal (so a file mode 0440 is 288), underscores
    /// are allowed between digits when a prefix is present.
    /// </summary>
    public static bool TryParseInteger(string text, out long value)
    {
        value = 0;
        var span = text.AsSpan();
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
        var prefixed = false;
        if (span.Length > 1 && span[0] == '0')
        {
            switch (span[1])
            {
                case 'x' or 'X':
                    radix = 16;
                    span = span[2..];
                    prefixed = true;
                    break;
                case 'o' or 'O':
                    radix = 8;
                    span = span[2..];
                    prefixed = true;
                    break;
                case 'b' or 'B':
                    radix = 2;
                    span = span[2..];
                    prefixed = true;
                    break;
                default:
                    radix = 8;
                    span = span[1..];
                    prefixed = true;
                    break;
            }
        }

        if (span.IsEmpty)
        {
            return false;
        }

        decimal total = 0;
        var previousUnderscore = true;
        foreach (var c in span)
        {
            if (c == '_' && prefixed && !previousUnderscore)
            {
                previousUnderscore = true;
                continue;
            }

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
            if (total > long.MaxValue)
            {
                return false;
            }

            previousUnderscore = false;
        }

        if (previousUnderscore)
        {
            return false;
        }

        value = negative ? -(long)total : (long)total;
        return true;
    }

    private static bool IsInteger(string text) => TryParseInteger(text, out _);

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
