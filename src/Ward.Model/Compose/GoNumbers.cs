using System.Globalization;
using System.Text.RegularExpressions;

namespace Ward.Model.Compose;

/// <summary>Number syntaxes of Go's strconv, which the Docker CLI uses when it converts strings.</summary>
public static partial class GoNumbers
{
    /// <summary>strconv.ParseFloat for decimal input: sign, digits with an optional point, optional exponent.</summary>
    public static bool TryParseFloat(string text, out double value)
    {
        value = 0;
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

    [GeneratedRegex(@"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalFloat();

    [GeneratedRegex(@"^[+-]?\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalInteger();
}
