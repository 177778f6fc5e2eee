namespace Ward.Model.Compose;

/// <summary>
/// The compose <c>restart:</c> key as docker stack deploy reads it when deploy.restart_policy is absent (docker/cli
/// opts.ParseRestartPolicy and convertRestartPolicy): <c>name[:count]</c>, where no and "" mean no policy, always and
/// unless-stopped the condition any, and on-failure the condition on-failure with the count as its attempts (a
/// negative count wraps around, as Go's uint64 conversion does).
/// </summary>
public static class RestartSyntax
{
    /// <summary>The policy's parts, or an error in the CLI's words.</summary>
    /// <param name="text">The value of <c>restart:</c>.</param>
    /// <param name="condition">none, any or on-failure.</param>
    /// <param name="maxAttempts">For on-failure, the attempts the CLI sends (0 when no count is given).</param>
    /// <param name="error">Why the CLI refuses the value.</param>
    public static bool TryParse(string text, out string condition, out ulong maxAttempts, out string? error)
    {
        (condition, maxAttempts, error) = ("none", 0, null);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var (name, count) = colon < 0 ? (text, "") : (text[..colon], text[(colon + 1)..]);
        if (colon >= 0 && name.Length == 0)
        {
            error = "invalid restart policy format: no policy provided before colon";
            return false;
        }

        long attempts = 0;
        if (count.Length > 0 && !GoNumbers.TryParseAtoi(count, out attempts))
        {
            error = "invalid restart policy format: maximum retry count must be an integer";
            return false;
        }

        switch (name)
        {
            case "" or "no":
                return true;
            case "always" or "unless-stopped":
                condition = "any";
                return true;
            case "on-failure":
                (condition, maxAttempts) = ("on-failure", unchecked((ulong)attempts));
                return true;
            default:
                error = $"unknown restart policy: {text}";
                return false;
        }
    }
}
