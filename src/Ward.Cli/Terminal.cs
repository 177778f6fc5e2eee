namespace Ward.Cli;

/// <summary>What the process is connected to: colour and questions only for a person at a terminal.</summary>
internal static class Terminal
{
    /// <summary>Colour on stdout: a terminal, NO_COLOR unset, TERM not dumb (or forced with --color always).</summary>
    public static bool UseColor(string mode) => mode switch
    {
        "always" => true,
        "never" => false,
        _ => !Console.IsOutputRedirected &&
             string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) &&
             Environment.GetEnvironmentVariable("TERM") is not "dumb",
    };

    /// <summary>Whether Ward may ask a question: both stdin and stderr are a terminal.</summary>
    public static bool IsInteractive => !Console.IsInputRedirected && !Console.IsErrorRedirected;
}
