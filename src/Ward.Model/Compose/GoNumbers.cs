using System.Globalization;
using System.Text.RegularExpressions;

namespace Ward.Model.Compose;

/// <summary>Number syntaxes of Go's strconv, which the Docker CLI uses when it converts strings.</summary>
public static partial class GoNumbers
{
    /// <summary>
    /// strconv.ParseFloat for finite input: a sign, digits with an optional point and exponent ("1e3", ".5", "5."),
    /// underscores between digits ("1_000"), or a hexadecimal mantissa with a binary exponent ("0x1p4"). Infinity,
    /// NaN and out-of-range values are refused: where the CLI accepts them, a later step refuses them anyway.
    /// </summary>
    public static bool TryParseFloat(string text, out double value)
    {
        value = 0;
        if (text.Contains('_', StringComparison.Ordinal))
        {
            if (!UnderscoresOk(text))
            {
                return false;
            }

            text = text.Replace("_", "", StringComparison.Ordinal);
        }

        if (HexFloat().Match(text) is { Success: true } hex)
        {
            return TryParseHex(hex, out value);
        }

        return DecimalFloat().IsMatch(text) &&
               double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) &&
               !double.IsInfinity(value);
    }

    /// <summary>strconv.Atoi: an optional sign and decimal digits, nothing else.</summary>
    public static bool TryParseAtoi(string text, out long value)
    {
        value = 0;
        return DecimalInteger().IsMatch(text) &&
               long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The CLI's boolean cast: y, yes, true, on / n, no, false, off, in any case.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text.ToLowerInvariant())
        {
            case "y" or "yes" or "true" or "on":
                value = true;
                return true;
            case "n" or "no" or "false" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Go's underscoreOK: an underscore only between digits, or between a base prefix and a digit.</summary>
    private static bool UnderscoresOk(string text)
    {
        var span = text.AsSpan();
        if (span.Length > 0 && span[0] is '+' or '-')
        {
            span = span[1..];
        }

        var saw = '^';
        var i = 0;
        var hex = false;
        if (span.Length >= 2 && span[0] == '0' && char.ToLowerInvariant(span[1]) is 'b' or 'o' or 'x')
        {
            i = 2;
            saw = '0';
            hex = char.ToLowerInvariant(span[1]) == 'x';
        }

        for (; i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsAsciiDigit(c) || (hex && char.IsAsciiHexDigit(c)))
            {
                saw = '0';
                continue;
            }

            if (c == '_')
            {
                if (saw != '0')
                {
                    return false;
                }

                saw = '_';
                continue;
            }

            if (saw == '_')
            {
                return false;
            }

            saw = '!';
        }

        return saw != '_';
    }

    private static bool TryParseHex(Match match, out double value)
    {
        var mantissa = 0.0;
        var scale = 0;
        var afterPoint = false;
        foreach (var c in match.Groups["m"].ValueSpan)
        {
            if (c == '.')
            {
                afterPoint = true;
                continue;
            }

            mantissa = (mantissa * 16) + Convert.ToInt32(c.ToString(), 16);
            scale -= afterPoint ? 4 : 0;
        }

        value = 0;
        if (!int.TryParse(match.Groups["e"].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent))
        {
            return false;
        }

        value = mantissa * Math.Pow(2, (double)exponent + scale) * (match.Groups["s"].Value == "-" ? -1 : 1);
        return double.IsFinite(value);
    }

    [GeneratedRegex(@"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalFloat();

    [GeneratedRegex(@"^(?<s>[+-]?)0[xX](?<m>[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP](?<e>[+-]?\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex HexFloat();

    [GeneratedRegex(@"^[+-]?\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalInteger();
}
