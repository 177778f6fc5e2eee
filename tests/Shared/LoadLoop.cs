using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Ward.Testing;

/// <summary>
/// A bounded load loop: GET requests to one URL at a steady rate (about <c>rate</c> a second, never more than
/// <c>maxInFlight</c> at once), each sent over HTTPS to a fixed address whatever the URL's host resolves to (the
/// manager's, as a client whose DNS points there), counting every answer and every failure by its kind. What each
/// answer's body says is counted too: the test services answer their task's host name, so the counts say which tasks
/// served. Traffic goes only where the caller points it (loopback or the project's own bridges).
/// </summary>
internal sealed class LoadLoop : IAsyncDisposable
{
    private readonly Uri _url;
    private readonly int _rate;
    private readonly int _maxInFlight;
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = new();
    private readonly ConcurrentBag<LoadFailure> _failures = [];
    private readonly ConcurrentDictionary<string, int> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _requests = [];
    private readonly ConcurrentBag<double> _latencies = [];
    private int _sent;
    private int _succeeded;
    private int _inFlight;
    private int _notSent;
    private int _connections;
    private Task? _loop;

    /// <param name="url">What to ask for (its host is sent as SNI and Host).</param>
    /// <param name="address">Where to connect, on the URL's port.</param>
    /// <param name="rate">Requests a second.</param>
    /// <param name="trustedRoot">The root the server's certificate must chain to; null: any certificate.</param>
    /// <param name="maxInFlight">The bound: a request due while this many are unanswered is not sent (and counted).</param>
    public LoadLoop(Uri url, IPAddress address, int rate, X509Certificate2? trustedRoot, int maxInFlight = 64)
    {
        _url = url;
        _rate = rate;
        _maxInFlight = maxInFlight;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, url.Port), cancellationToken);
                    Interlocked.Increment(ref _connections);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = trustedRoot is null
                ? new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true }
                : new SslClientAuthenticationOptions { CertificateChainPolicy = TrustOnly(trustedRoot) },
        };
        _client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Seconds since the loop started: for marks such as the moment a task was killed.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public void Start()
    {
        _clock.Start();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Stops sending, waits for the requests in flight, and returns the counts.</summary>
    public async Task<LoadCounts> StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        await Task.WhenAll(_requests);
        _clock.Stop();
        return new LoadCounts(
            _sent,
            _succeeded,
            _notSent,
            _connections,
            [.. _failures.OrderBy(f => f.At)],
            new Dictionary<string, int>(_answers, StringComparer.Ordinal),
            _clock.Elapsed,
            [.. _latencies.Order()]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _client.Dispose();
        _stop.Dispose();
    }

    /// <summary>Certificates must chain (with the intermediates the server sends) to this root alone, and name the host.</summary>
    public static X509ChainPolicy TrustOnly(X509Certificate2 root) => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        CustomTrustStore = { root },
        RevocationMode = X509RevocationMode.NoCheck,
    };

    /// <summary>Sends request n at start + n/rate; a request due while the bound is reached is counted, not sent.</summary>
    private async Task RunAsync()
    {
        var interval = TimeSpan.FromSeconds(1.0 / _rate);
        for (long n = 0; !_stop.IsCancellationRequested; n++)
        {
            var due = interval * n;
            var wait = due - _clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            if (Volatile.Read(ref _inFlight) >= _maxInFlight)
            {
                Interlocked.Increment(ref _notSent);
                continue;
            }

            Interlocked.Increment(ref _inFlight);
            Interlocked.Increment(ref _sent);
            _requests.Add(Task.Run(SendOneAsync));
        }
    }

    private async Task SendOneAsync()
    {
        var started = _clock.Elapsed;
        try
        {
            using var response = await _client.GetAsync(_url, CancellationToken.None);
            var body = (await response.Content.ReadAsStringAsync(CancellationToken.None)).Trim();
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _succeeded);
                _latencies.Add((_clock.Elapsed - started).TotalMilliseconds);
                var firstLine = body.Split('\n', 2)[0];
                _answers.AddOrUpdate(firstLine.Length > 64 ? firstLine[..64] : firstLine, 1, (_, count) => count + 1);
            }
            else
            {
                _failures.Add(new LoadFailure(started, _clock.Elapsed, $"status {(int)response.StatusCode}", body.Length > 200 ? body[..200] : body));
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            _failures.Add(new LoadFailure(started, _clock.Elapsed, KindOf(e), e.Message + (e.InnerException is { } inner ? " / " + inner.Message : "")));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>reset (the connection was reset or closed under the request), refused, timeout, tls, or other.</summary>
    private static string KindOf(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown }:
                    return LoadFailure.Reset;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return "refused";
                case TaskCanceledException or TimeoutException:
                    return "timeout";
                case System.Security.Authentication.AuthenticationException:
                    return "tls";
                case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }:
                    return LoadFailure.Reset;
            }
        }

        return "other";
    }
}

/// <summary>A request that did not get a successful answer: when it started and ended (since the loop began), its kind and message.</summary>
internal sealed record LoadFailure(TimeSpan At, TimeSpan Ended, string Kind, string Message)
{
    /// <summary>The connection was reset, aborted or closed while the request was on it.</summary>
    public const string Reset = "reset";
}

/// <summary>What a load loop counted.</summary>
/// <param name="Sent">Requests sent.</param>
/// <param name="Succeeded">Requests answered with a 2xx status.</param>
/// <param name="NotSent">Requests not sent because the loop's bound of requests in flight was reached (the server fell behind).</param>
/// <param name="ConnectionsOpened">TCP connections the client opened (it keeps them alive: more than a few means the server closed some).</param>
/// <param name="Failures">Every request that failed, in order.</param>
/// <param name="Answers">How many successful answers said what (the answering task's host name).</param>
/// <param name="Duration">How long the loop ran.</param>
/// <param name="Latencies">How long each successful request took (milliseconds), in increasing order.</param>
internal sealed record LoadCounts(int Sent, int Succeeded, int NotSent, int ConnectionsOpened, IReadOnlyList<LoadFailure> Failures, IReadOnlyDictionary<string, int> Answers, TimeSpan Duration, IReadOnlyList<double> Latencies)
{
    /// <summary>Requests that succeeded but took longer than a second: held up (a dial to a task that is gone, for instance).</summary>
    public int Slow => Latencies.Count(l => l > 1000);

    /// <summary>The latency below which this share (0-1) of the successful requests fell, in milliseconds.</summary>
    public double Percentile(double share) => Latencies.Count == 0 ? 0 : Latencies[Math.Min(Latencies.Count - 1, (int)Math.Ceiling(share * Latencies.Count) - 1)];

    public int Failed => Failures.Count;

    public int Resets => Failures.Count(f => f.Kind == LoadFailure.Reset);

    public double Rate => Sent / Duration.TotalSeconds;

    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Sent} requests in {Duration.TotalSeconds:0.0} s ({Rate:0}/s): {Succeeded} succeeded, {Failed} failed ({Resets} on a reset connection), {NotSent} not sent (bound reached), {ConnectionsOpened} connections opened; latency p50 {Percentile(0.5):0.0} ms, p99 {Percentile(0.99):0.0} ms, max {Percentile(1):0} ms, {Slow} over 1 s; answered by {string.Join(", ", Answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Value}"))}")
        + (Failures.Count == 0 ? "" : "\n  failures:\n" + string.Join('\n', Failures.Take(20).Select(f => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  at {f.At.TotalSeconds:0.000} s ({(f.Ended - f.At).TotalMilliseconds:0} ms): {f.Kind}: {f.Message}"))));
}
