using System.Net.Sockets;
using System.Text;

namespace Ward.Server.Tests.Support;

/// <summary>
/// HTTP/1.1 written by hand on a socket, for requests HttpClient will not send as written: a path whose dot segments it
/// would resolve itself, or a body announced but never sent.
/// </summary>
internal static class RawHttp
{
    /// <summary>Sends the head (and optional body bytes) and reads the answer until the server closes or the time is up.</summary>
    public static async Task<Reply> SendAsync(string baseUrl, string head, byte[]? body = null, TimeSpan? timeout = null)
    {
        var uri = new Uri(baseUrl);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n") + "\r\n"), TestContext.Current.CancellationToken);
        if (body is not null)
        {
            await stream.WriteAsync(body, TestContext.Current.CancellationToken);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            while (!Complete(received.ToArray()))
            {
                var read = await stream.ReadAsync(buffer, deadline.Token);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return new Reply(0, "", $"no answer within {(timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds} s; received {received.Length} bytes");
        }

        return Parse(Encoding.Latin1.GetString(received.ToArray()));
    }

    /// <summary>Whether a whole answer is there: the head, and as many body bytes as Content-Length says.</summary>
    private static bool Complete(byte[] data)
    {
        var text = Encoding.Latin1.GetString(data);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        if (Header(text[..end], "Transfer-Encoding") == "chunked")
        {
            return text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal);
        }

        var length = Header(text[..end], "Content-Length") is { } value ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return data.Length >= end + 4 + length;
    }

    private static string? Header(string head, string name) =>
        head.Split("\r\n").Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();

    /// <summary>The body of a chunked answer, without the chunk sizes.</summary>
    private static string Dechunk(string body)
    {
        var result = new StringBuilder();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(body[at..lineEnd].Split(';')[0], 16);
            if (size == 0)
            {
                break;
            }

            result.Append(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }

        return result.ToString();
    }

    private static Reply Parse(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? text : text[..end];
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ') is [_, var code, ..] && int.TryParse(code, out var parsed) ? parsed : 0;
        var headers = string.Join("\n", lines.Skip(1));
        var body = end < 0 ? "" : text[(end + 4)..];
        body = Header(head, "Transfer-Encoding") == "chunked" ? Dechunk(body) : body;

        // Read as Latin-1, one character per byte, so chunk sizes count right; the body itself is UTF-8.
        return new Reply(status, headers, Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(body))) { ContentType = Header(head, "Content-Type")?.Split(';')[0].Trim() };
    }
}
