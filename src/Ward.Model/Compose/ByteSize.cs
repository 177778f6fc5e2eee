using System.Globalization;

namespace Ward.Model.Compose;

/// <summary>
/// Byte sizes as Docker reads them (go-units RAMInBytes): a number with an optional unit b, k, m, g, t, p
/// (optionally followed by b or ib, any case), all binary multiples: "512m", "1.5GB", "1024".
/// </summary>
public static class ByteSize
{
    public static bool TryParse(string text, out long bytes) => TryParse(text, out bytes, out _);

    /// <summary>
    /// Parses as go-units RAMInBytes: the number is everything up to the last digit or '.', optionally followed by
    /// exactly one space, then a case-insensitive suffix (b, k, m, g, t, p, each optionally with b or ib).
    /// </summary>
    public static bool TryParse(string text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        var last = text.Length - 1;
        while (last >= 0 && !(char.IsAsciiDigit(text[last]) || text[last] is '.' or ' '))
        {
            last--;
        }

        if (last < 0)
        {
            error = $"'{text}' is not a size; write a number with an optional unit, e.g. 512m, 1.5g, 1024";
            return false;
        }

        var number = text[..(last + 1)];
        var suffix = text[(last + 1)..];
        if (text[last] == ' ')
        {
            number = text[..last];
        }

        if (!GoNumbers.TryParseFloat(number, out var value) || value < 0)
        {
            error = $"'{text}' is not a size; write a number with an optional unit, e.g. 512m, 1.5g, 1024";
            return false;
        }

        double? multiplier = suffix.ToLowerInvariant() switch
        {
            "" or "b" => 1,
            "k" or "kb" or "kib" => 1L << 10,
            "m" or "mb" or "mib" => 1L << 20,
            "g" or "gb" or "gib" => 1L << 30,
            "t" or "tb" or "tib" => 1L << 40,
            "p" or "pb" or "pib" => 1L << 50,
            _ => null,
        };
        if (multiplier is null)
        {
            error = $"'{text}' has the unit '{suffix}'; allowed are b, k, m, g, t, p (optionally followed by b or ib)";
            return false;
        }

        // In floating point, as go-units computes it: "99999999999999999999T" is accepted (the CLI's result is garbage),
        // and a decimal product would overflow and throw.
        var total = value * multiplier.Value;
        bytes = total >= long.MaxValue ? long.MaxValue : (long)total;
        return true;
    }

    /// <summary>A short human form: 512 MiB, 1.5 GiB.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return $"{value.ToString(value % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture)} {units[unit]}";
    }
}
