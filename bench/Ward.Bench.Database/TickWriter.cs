using System.Diagnostics;
using System.Globalization;

namespace Ward.Bench.Database;

/// <summary>
/// Writes a timestamped row into records.ticks every 100 ms, each in its own transaction, from one psql session in the
/// database's task (\watch repeats the INSERT). psql prints each row once the server has committed it: those are
/// the acknowledged rows, the ones a restore must not lose. Stops when the database (or its node) goes away.
/// </summary>
internal sealed class TickWriter : IDisposable
{
    private readonly Process _psql;
    private readonly List<(long Id, DateTimeOffset At)> _acknowledged = [];
    private readonly Task _reader;

    private TickWriter(Process psql)
    {
        _psql = psql;
        _reader = Task.Run(ReadAsync);
    }

    public static async Task<TickWriter> StartAsync(Container container)
    {
        // Line-buffered, so a row is read here as soon as psql has it, not when a buffer fills.
        var psql = Shell.Start(Shell.Docker, ["-H", container.Host, "exec", "-i", container.Id, "stdbuf", "-oL", "psql", "-X", "-At", "-h", "/run/postgresql", "-d", "records"]);
        await psql.StandardInput.WriteLineAsync("INSERT INTO ticks (at) VALUES (clock_timestamp()) RETURNING id, extract(epoch FROM at) \\watch 0.1");
        await psql.StandardInput.FlushAsync();
        var writer = new TickWriter(psql);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (writer.Acknowledged.Count == 0)
        {
            if (DateTime.UtcNow > deadline || psql.HasExited)
            {
                throw new InvalidOperationException($"the tick writer wrote nothing: {await psql.StandardError.ReadToEndAsync()}");
            }

            await Task.Delay(200);
        }

        return writer;
    }

    public IReadOnlyList<(long Id, DateTimeOffset At)> Acknowledged
    {
        get
        {
            lock (_acknowledged)
            {
                return [.. _acknowledged];
            }
        }
    }

    public DateTimeOffset Started => Acknowledged[0].At;

    private async Task ReadAsync()
    {
        while (await _psql.StandardOutput.ReadLineAsync() is { } line)
        {
            var parts = line.Split('|');
            if (parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var id) && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var epoch))
            {
                lock (_acknowledged)
                {
                    _acknowledged.Add((id, DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Floor(epoch * 1000))));
                }
            }
        }
    }

    /// <summary>Waits until psql has ended (its database went away) and everything it printed is read.</summary>
    public async Task EndedAsync(TimeSpan patience)
    {
        if (await Task.WhenAny(_reader, Task.Delay(patience)) != _reader)
        {
            Dispose();
            await _reader;
        }
    }

    public void Dispose()
    {
        if (!_psql.HasExited)
        {
            _psql.Kill(entireProcessTree: true);
        }
    }
}
