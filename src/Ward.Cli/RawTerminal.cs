using System.Diagnostics;

namespace Ward.Cli;

/// <summary>
/// The terminal in raw mode for as long as a remote session runs (every key goes to the remote program as typed, no
/// local echo or line editing: the remote pseudo-terminal does both), then as it was. Set and restored with stty on
/// the terminal itself, which every Unix has; when stty cannot, the session still runs, line by line.
/// </summary>
internal sealed class RawTerminal : IDisposable
{
    private readonly string? _saved;

    private RawTerminal(string? saved) => _saved = saved;

    /// <summary>Raw mode on standard input's terminal; a no-op when standard input is not a terminal.</summary>
    public static RawTerminal Enter()
    {
        if (Console.IsInputRedirected)
        {
            return new RawTerminal(null);
        }

        var saved = Stty("-g");
        return new RawTerminal(saved is not null && Stty("raw", "-echo") is not null ? saved.Trim() : null);
    }

    /// <summary>The terminal's size, or 80x24 when it does not say (a pseudo-terminal nobody sized reports 0x0).</summary>
    public static Engine.Ports.TerminalSize Size()
    {
        try
        {
            return Console.WindowWidth > 0 && Console.WindowHeight > 0 ? new Engine.Ports.TerminalSize(Console.WindowWidth, Console.WindowHeight) : new Engine.Ports.TerminalSize(80, 24);
        }
        catch (IOException)
        {
            return new Engine.Ports.TerminalSize(80, 24);
        }
    }

    public void Dispose()
    {
        if (_saved is not null)
        {
            Stty(_saved);
        }
    }

    /// <summary>Runs stty on the terminal (inherited standard input); its output, or null when it failed.</summary>
    private static string? Stty(params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("stty") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var stty = Process.Start(start)!;
            var output = stty.StandardOutput.ReadToEnd();
            stty.WaitForExit();
            return stty.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
