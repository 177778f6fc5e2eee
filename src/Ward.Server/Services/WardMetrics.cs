using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Ward.Server.Services;

/// <summary>
/// Ward's own signals in the Prometheus text format (served at /metrics behind Ward:MetricsToken): requests by method
/// and status, applies by outcome with their durations, engine calls and errors by call, and alerts firing. Counters
/// only go up from the server's start, as Prometheus expects.
/// </summary>
public sealed class WardMetrics
{
    /// <summary>Upper bounds of the duration histograms, in seconds.</summary>
    private static readonly double[] RequestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] ApplyBuckets = [1, 5, 10, 30, 60, 120, 300, 600];

    private readonly ConcurrentDictionary<(string Method, int Status), long> _requests = new();
    private readonly Histogram _requestSeconds = new(RequestBuckets);
    private readonly ConcurrentDictionary<string, long> _applies = new(StringComparer.Ordinal);
    private readonly Histogram _applySeconds = new(ApplyBuckets);
    private readonly ConcurrentDictionary<string, long> _engineCalls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _engineErrors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _alertsFiring = new(StringComparer.Ordinal);

    public void Request(string method, int status, TimeSpan elapsed)
    {
        _requests.AddOrUpdate((method, status), 1, (_, n) => n + 1);
        _requestSeconds.Observe(elapsed.TotalSeconds);
    }

    public void Apply(string outcome, TimeSpan elapsed)
    {
        _applies.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        _applySeconds.Observe(elapsed.TotalSeconds);
    }

    public void EngineCall(string call, bool failed)
    {
        _engineCalls.AddOrUpdate(call, 1, (_, n) => n + 1);
        if (failed)
        {
            _engineErrors.AddOrUpdate(call, 1, (_, n) => n + 1);
        }
    }

    public void AlertsFiring(string environment, int count) => _alertsFiring[environment] = count;

    public string Render()
    {
        var text = new StringBuilder();
        Counter(text, "ward_http_requests_total", "HTTP requests answered, by method and status.", _requests.Select(r => ($"method=\"{r.Key.Method}\",code=\"{r.Key.Status}\"", (double)r.Value)));
        _requestSeconds.Render(text, "ward_http_request_duration_seconds", "Time to answer a request.");
        Counter(text, "ward_applies_total", "Applies finished, by outcome.", _applies.Select(a => ($"outcome=\"{a.Key}\"", (double)a.Value)));
        _applySeconds.Render(text, "ward_apply_duration_seconds", "Time an apply took, start to outcome.");
        Counter(text, "ward_engine_calls_total", "Calls to the Docker Engine API, by call.", _engineCalls.Select(c => ($"call=\"{c.Key}\"", (double)c.Value)));
        Counter(text, "ward_engine_errors_total", "Engine calls that failed, by call.", _engineErrors.Select(c => ($"call=\"{c.Key}\"", (double)c.Value)));
        text.Append("# HELP ward_alerts_firing Alerts firing now, by environment.\n# TYPE ward_alerts_firing gauge\n");
        foreach (var (environment, count) in _alertsFiring.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"ward_alerts_firing{{environment=\"{Escape(environment)}\"}} {count}\n");
        }

        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, IEnumerable<(string Labels, double Value)> series)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n");
        foreach (var (labels, value) in series.OrderBy(s => s.Labels, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {value}\n");
        }
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A cumulative histogram: counts per upper bound, the sum and the count.</summary>
    private sealed class Histogram(double[] bounds)
    {
        private readonly long[] _counts = new long[bounds.Length];
        private readonly Lock _gate = new();
        private double _sum;
        private long _count;

        public void Observe(double value)
        {
            lock (_gate)
            {
                for (var i = 0; i < bounds.Length; i++)
                {
                    if (value <= bounds[i])
                    {
                        _counts[i]++;
                    }
                }

                _sum += value;
                _count++;
            }
        }

        public void Render(StringBuilder text, string name, string help)
        {
            lock (_gate)
            {
                text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
                for (var i = 0; i < bounds.Length; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"{bounds[i]}\"}} {_counts[i]}\n");
                }

                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"+Inf\"}} {_count}\n{name}_sum {_sum}\n{name}_count {_count}\n");
            }
        }
    }
}
