using System.Globalization;
using System.Text;
using Docker.DotNet;
using Ward.Engine.Ports;

namespace Ward.Docker;

/// <summary>
/// Reads the Engine API's service log stream (GET /services/{id}/logs with timestamps and details): frames of standard
/// output and error, each line "TIME com.docker.swarm.node.id=...,com.docker.swarm.service.id=...,com.docker.swarm.task.id=... TEXT".
/// A frame may hold a part of a line or several lines; each stream keeps its own unfinished line.
/// </summary>
internal static class ServiceLogStream
{
    private const int BufferSize = 64 * 1024;

    public static async IAsyncEnumerable<ServiceLogLine> ReadAsync(MultiplexedStream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        var pending = new[] { new List<byte>(), new List<byte>() };
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
            if (read.EOF)
            {
                break;
            }

            var stdErr = read.Target == MultiplexedStream.TargetStream.StandardError;
            var partial = pending[stdErr ? 1 : 0];
            var start = 0;
            for (var i = 0; i < read.Count; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                yield return Line(partial, buffer.AsSpan(start, i - start), stdErr);
                partial.Clear();
                start = i + 1;
            }

            partial.AddRange(buffer.AsSpan(start, read.Count - start));
        }

        for (var i = 0; i < pending.Length; i++)
        {
            if (pending[i].Count > 0)
            {
                yield return Line(pending[i], [], i == 1);
            }
        }
    }

    private static ServiceLogLine Line(List<byte> partial, ReadOnlySpan<byte> rest, bool stdErr)
    {
        string text;
        if (partial.Count == 0)
        {
            text = Encoding.UTF8.GetString(rest);
        }
        else
        {
            partial.AddRange(rest);
            text = Encoding.UTF8.GetString([.. partial]);
        }

        return Parse(text.TrimEnd('\r'), stdErr);
    }

    /// <summary>One line of the stream: its timestamp, then its details (comma-separated key=value), then the text.</summary>
    public static ServiceLogLine Parse(string line, bool stdErr)
    {
        var time = DateTimeOffset.MinValue;
        var rest = line;
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && DateTimeOffset.TryParse(rest.AsSpan(0, space), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            time = parsed;
            rest = rest[(space + 1)..];
        }

        string? node = null;
        string? task = null;
        if (rest.StartsWith("com.docker.swarm.", StringComparison.Ordinal))
        {
            space = rest.IndexOf(' ', StringComparison.Ordinal);
            var details = space < 0 ? rest : rest[..space];
            rest = space < 0 ? "" : rest[(space + 1)..];
            foreach (var pair in details.Split(','))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals < 0)
                {
                    continue;
                }

                switch (pair[..equals])
                {
                    case "com.docker.swarm.node.id":
                        node = pair[(equals + 1)..];
                        break;
                    case "com.docker.swarm.task.id":
                        task = pair[(equals + 1)..];
                        break;
                }
            }
        }

        return new ServiceLogLine(time, node, task, stdErr, rest);
    }
}
