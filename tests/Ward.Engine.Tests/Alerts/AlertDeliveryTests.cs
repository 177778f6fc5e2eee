using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Ward.Deploying.Alerts;
using Ward.Model.Spec;

namespace Ward.Engine.Tests.Alerts;

/// <summary>
/// Notices delivered for real: mail through Debian's aiosmtpd (received into a Maildir), webhooks to an HTTP listener
/// that checks the signature, and what happens when either refuses.
/// </summary>
public sealed class AlertDeliveryTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly byte[] Key = Encoding.UTF8.GetBytes("hook-signing-key-42");

    private static AlertDigest Digest()
    {
        var tracker = new AlertTracker("shop");
        return new AlertDigest("shop", tracker.Evaluate([new AlertCondition("node-down", "worker-1", "the node is down")], null, T0));
    }

    [Fact]
    public async Task Mail_arrives_at_a_real_smtp_server_with_the_digest()
    {
        using var smtp = SmtpSink.Start();
        var mailer = new AlertMailer(new SmtpSettings { Host = "127.0.0.1", Port = smtp.Port, From = "ward@example.org", StartTls = "none" });
        var result = await mailer.SendAsync(Digest(), ["ops@example.org", "oncall@example.org"], TestContext.Current.CancellationToken);
        Assert.True(result.Delivered, result.Error);
        var mail = Assert.Single(smtp.Received());
        Assert.Contains("Subject: [Ward] shop: 1 firing (node-down worker-1)", mail, StringComparison.Ordinal);
        Assert.Contains("To: ops@example.org, oncall@example.org", mail, StringComparison.Ordinal);
        Assert.Contains("FIRING: A node is down", mail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_without_starttls_is_refused_when_it_is_required()
    {
        using var smtp = SmtpSink.Start();
        var mailer = new AlertMailer(new SmtpSettings { Host = "127.0.0.1", Port = smtp.Port, From = "ward@example.org", UserName = "ward", Password = "relay-password-7" });
        var result = await mailer.SendAsync(Digest(), ["ops@example.org"], TestContext.Current.CancellationToken);
        Assert.False(result.Delivered);
        Assert.Contains($"mail to 127.0.0.1:{smtp.Port} failed", result.Error, StringComparison.Ordinal);
        Assert.Contains("STARTTLS", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("relay-password-7", result.Error, StringComparison.Ordinal);
        Assert.Empty(smtp.Received());
    }

    [Fact]
    public async Task A_webhook_gets_the_signed_body_after_two_refusals()
    {
        using var receiver = new WebhookReceiver(failFirst: 2);
        var sender = new WebhookSender(new HttpClient(), [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)]);
        var digest = Digest();
        var result = await sender.SendAsync(receiver.Url, Key, digest.JsonBody(), TestContext.Current.CancellationToken);
        Assert.Equal(new DeliveryResult(true, 3, null), result);
        var (body, signature) = receiver.Requests.Last();
        Assert.Equal(digest.JsonBody(), body);
        Assert.Equal(WebhookSender.Signature(Key, Encoding.UTF8.GetBytes(body)), signature);
        Assert.StartsWith("sha256=", signature, StringComparison.Ordinal);
        Assert.Equal(64 + 7, signature!.Length);
    }

    [Fact]
    public async Task A_webhook_that_keeps_failing_is_queued_and_delivered_on_a_later_dispatch()
    {
        using var receiver = new WebhookReceiver(failFirst: 4);
        var time = new FakeTimeProvider(T0);
        var dispatcher = new AlertDispatcher(null, new WebhookSender(new HttpClient(), [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10)]), time);
        var alerts = new AlertsSpec { Webhooks = ValueList.Of(new WebhookSpec(receiver.Url, "hook_key")), Email = ValueList.Of("ops@example.org") };
        var secrets = new Dictionary<string, byte[]> { ["hook_key"] = Key };
        var token = TestContext.Current.CancellationToken;

        var first = await dispatcher.DispatchAsync(Digest(), alerts, secrets, token);
        Assert.Equal("no SMTP relay is configured (Ward:Smtp:Host)", first.Single(d => d.Channel == "email").Result.Error);
        var hook = first.Single(d => d.Channel == "webhook");
        Assert.Equal((false, 4, "the webhook answered 500 Internal Server Error"), (hook.Result.Delivered, hook.Result.Attempts, hook.Result.Error));
        Assert.Equal(1, dispatcher.Waiting);

        // The next evaluation has nothing new; the queued notice goes out then.
        var later = await dispatcher.DispatchAsync(new AlertDigest("shop", []), alerts, secrets, token);
        Assert.True(later.Single().Result.Delivered);
        Assert.Equal(0, dispatcher.Waiting);
        Assert.Equal(5, receiver.Requests.Count);
    }

    /// <summary>An HTTP listener that answers 500 to the first requests, then 204, keeping each body and signature.</summary>
    private sealed class WebhookReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly int _failFirst;

        public WebhookReceiver(int failFirst)
        {
            _failFirst = failFirst;
            Url = $"http://127.0.0.1:{FreePort()}/hooks/ward/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public List<(string Body, string? Signature)> Requests { get; } = [];

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                int count;
                lock (Requests)
                {
                    Requests.Add((body, context.Request.Headers[WebhookSender.SignatureHeader]));
                    count = Requests.Count;
                }

                context.Response.StatusCode = count <= _failFirst ? 500 : 204;
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
