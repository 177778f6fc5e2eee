using System.Globalization;
using System.Text.RegularExpressions;

namespace Ward.Bench.LoadBalancer;

/// <summary>
/// wrk (Debian's, 4.1) with a fixed number of connections on two threads, its latency distribution asked for. A
/// domain is reached as a client whose DNS points it at the manager: wrk runs in a mount namespace of its own where
/// /etc/hosts says so (the host's file is not touched), so SNI and Host carry the domain. A task's overlay address is
/// reached from inside a container's network namespace (nsenter).
/// </summary>
internal sealed class Wrk(int seconds, int connections)
{
    public Task<WrkResult> WithHostsAsync(string hostsFile, Uri url, CancellationToken cancellationToken) =>
        RunAsync("unshare", ["--mount", "--propagation", "private", "sh", "-c", "mount --bind \"$0\" /etc/hosts && exec \"$@\"", hostsFile, .. Arguments(url)], cancellationToken);

    public Task<WrkResult> InNetworkNamespaceAsync(int pid, Uri url, CancellationToken cancellationToken) =>
        RunAsync("nsenter", ["-t", pid.ToString(CultureInfo.InvariantCulture), "-n", .. Arguments(url)], cancellationToken);

    private string[] Arguments(Uri url) =>
        ["wrk", "-t", "2", "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{seconds}s", "--latency", url.ToString()];

    private static async Task<WrkResult> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (code, output) = await BenchCommands.RunAsync(program, arguments, cancellationToken);
        return code == 0 ? WrkResult.Parse(output) : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed (exit {code}): {output}");
    }
}

/// <summary>One wrk run's figures.</summary>
/// <param name="RequestsPerSecond">Requests a second over the run.</param>
/// <param name="P50Milliseconds">Median latency.</param>
/// <param name="P99Milliseconds">99th percentile latency.</param>
/// <param name="Errors">Socket errors (connect, read, write, timeout) and answers that were not 2xx or 3xx.</param>
internal sealed partial record WrkResult(double RequestsPerSecond, double P50Milliseconds, double P99Milliseconds, int Errors)
{
    public static WrkResult Parse(string output)
    {
        var rate = double.Parse(RateLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var errors = SocketErrors().Matches(output).Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            + NonSuccess().Matches(output).Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        return new WrkResult(rate, Percentile(output, "50"), Percentile(output, "99"), errors);
    }

    /// <summary>The median run by throughput, with each figure the median of its own over the runs.</summary>
    public static WrkResult Median(IReadOnlyList<WrkResult> runs) => new(
        Middle(runs.Select(r => r.RequestsPerSecond)),
        Middle(runs.Select(r => r.P50Milliseconds)),
        Middle(runs.Select(r => r.P99Milliseconds)),
        runs.Sum(r => r.Errors));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{RequestsPerSecond,8:0} requests/s, p50 {P50Milliseconds,6:0.00} ms, p99 {P99Milliseconds,6:0.00} ms, {Errors} errors");

    private static double Middle(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>A line of wrk's latency distribution ("99%   12.34ms"), in milliseconds.</summary>
    private static double Percentile(string output, string percent)
    {
        var match = Regex.Match(output, $@"^\s*{percent}%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        if (!match.Success)
        {
            throw new InvalidOperationException($"wrk printed no {percent}% latency:\n{output}");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "ms" => value, _ => value * 1000 };
    }

    [GeneratedRegex(@"^Requests/sec:\s+([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex RateLine();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccess();
}
