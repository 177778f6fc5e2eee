namespace Ward.Cli;

/// <summary>Yes/no questions, asked only of a person at a terminal.</summary>
internal static class Questions
{
    public static bool Confirm(string question)
    {
        if (!Terminal.IsInteractive)
        {
            Console.Error.WriteLine("ward: not a terminal, so no question can be asked: use --yes");
            return false;
        }

        Console.Error.Write($"{question} [y/N] ");
        return Console.ReadLine()?.Trim().ToLowerInvariant() is "y" or "yes";
    }
}
