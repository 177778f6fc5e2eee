using System.CommandLine.Parsing;
using Ward.Model.Compose;

namespace Ward.Cli;

/// <summary>Durations on the command line, written as in environment files: 90s, 5m, 1h30m.</summary>
internal static class Durations
{
    public static TimeSpan Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (GoDuration.TryParse(text, out var value) && value >= TimeSpan.Zero)
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration; write e.g. 90s, 5m or 1h30m");
        return TimeSpan.Zero;
    }
}
