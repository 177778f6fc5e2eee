using System.Diagnostics;

namespace Ward.Docker.Cluster;

/// <summary>The result of a host command: exit code and what it printed.</summary>
public sealed record CommandResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs the host tools the local cluster needs (ip, iptables, nsenter, dockerd). Ward never runs the docker CLI:
/// engines are reached through the Engine API.
/// </summary>
public static class HostCommand
{
    public static async Task<CommandResult> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return new CommandResult(process.ExitCode, (await output).Trim(), (await error).Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CommandResult(127, "", $"{program}: {e.Message}");
        }
    }

    public static Task<CommandResult> RunAsync(string program, CancellationToken cancellationToken, params string[] arguments) =>
        RunAsync(program, arguments, cancellationToken);

    /// <summary>Runs a command that must succeed; failure is a <see cref="ClusterException"/> with the command's own words.</summary>
    public static async Task<string> RequireAsync(string program, CancellationToken cancellationToken, params string[] arguments)
    {
        var result = await RunAsync(program, arguments, cancellationToken);
        if (!result.Succeeded)
        {
            throw new ClusterException($"`{program} {string.Join(' ', arguments)}` failed: {(result.Error.Length > 0 ? result.Error : result.Output)}");
        }

        return result.Output;
    }

    /// <summary>Whether a program is on PATH.</summary>
    public static bool Exists(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':').Append("/usr/sbin").Append("/sbin")
            .Any(directory => File.Exists(Path.Combine(directory, program)));
}

/// <summary>The local cluster cannot be created, changed or removed; the message says why and what to do.</summary>
public sealed class ClusterException(string message, Exception? inner = null) : Exception(message, inner);
