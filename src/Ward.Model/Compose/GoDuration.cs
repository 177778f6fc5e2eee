using System.Globalization;

namespace Ward.Model.Compose;

/// <summary>
/// Durations as the Docker CLI reads them (Go's time.ParseDuration): a sequence of decimal numbers with
/// units ns, us/µs, ms, s, m, h, e.g. "1m30s", "1.5h", "300ms". A bare "0" is zero.
/// </summary>
public static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var span = text.AsSpan();
        var negative = false;
        if (span.Length > 0 && span[0] is '-' or '+')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        if (span is "0")
        {
            return true;
        }

        if (span.IsEmpty)
        {
            return false;
        }

        decimal totalNanoseconds = 0;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !decimal.TryParse(span[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[numberLength..];
            var unitLength = 0;
            while (unitLength < span.Length && !char.IsAsciiDigit(span[unitLength]) && span[unitLength] != '.')
            {
                unitLength++;
            }

            decimal? nanosPerUnit = span[..unitLength] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (nanosPerUnit is null)
            {
                return false;
            }

            totalNanoseconds += number * nanosPerUnit.Value;

            // Go's limit is the int64 range of nanoseconds, which reaches one further on the negative side.
            if (totalNanoseconds > (decimal)long.MaxValue + (negative ? 1 : 0))
            {
                return false;
            }

            span = span[unitLength..];
        }

        var ticks = (long)(totalNanoseconds / 100m);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Formats as Go does for whole units ("1m30s", "500ms"), for messages and round-trips.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
        }

        var parts = new List<string>(3);
        var hours = (long)value.TotalHours;
        if (hours != 0)
        {
            parts.Add($"{hours}h");
        }

        if (value.Minutes != 0)
        {
            parts.Add($"{value.Minutes}m");
        }

        if (value.Seconds != 0)
        {
            parts.Add($"{value.Seconds}s");
        }

        return string.Concat(parts);
    }
}
