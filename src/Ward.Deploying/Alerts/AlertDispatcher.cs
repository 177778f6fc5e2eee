using Ward.Model.Spec;

namespace Ward.Deploying.Alerts;

/// <summary>Where one delivery went and how it went.</summary>
/// <param name="Environment">The environment whose alerts it told of.</param>
/// <param name="Channel">email or webhook.</param>
/// <param name="Target">The addresses, or the webhook's URL.</param>
/// <param name="Digest">What it told.</param>
/// <param name="Result">Whether it arrived.</param>
public sealed record Delivery(string Environment, string Channel, string Target, AlertDigest Digest, DeliveryResult Result);

/// <summary>
/// Delivers a digest to everyone an environment's file names: one mail to all its addresses, one call to each webhook
/// (signed with the value of the secret it names). What could not be delivered waits in the outbox and is tried again
/// on each later dispatch, until it arrives or is a day old; the caller records every outcome (audit log, console).
/// </summary>
public sealed class AlertDispatcher(AlertMailer? mailer, WebhookSender webhooks, TimeProvider time)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(1);
    private readonly List<(DateTimeOffset Queued, Func<CancellationToken, Task<Delivery>> Send)> _outbox = [];
    private readonly Lock _gate = new();

    /// <summary>Deliveries waiting to be tried again.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _outbox.Count;
            }
        }
    }

    public async Task<IReadOnlyList<Delivery>> DispatchAsync(AlertDigest digest, AlertsSpec? alerts, IReadOnlyDictionary<string, byte[]> secrets, CancellationToken cancellationToken)
    {
        var sends = new List<Func<CancellationToken, Task<Delivery>>>();
        if (alerts is { Email.Count: > 0 } && digest.Notices.Count > 0)
        {
            var to = string.Join(", ", alerts.Email);
            sends.Add(async token => mailer is null
                ? new Delivery(digest.Environment, "email", to, digest, new DeliveryResult(false, 0, "no SMTP relay is configured (Ward:Smtp:Host)"))
                : new Delivery(digest.Environment, "email", to, digest, await mailer.SendAsync(digest, alerts.Email, token)));
        }

        foreach (var hook in digest.Notices.Count > 0 && alerts is not null ? alerts.Webhooks : ValueList<WebhookSpec>.Empty)
        {
            var key = hook.Secret is { } name ? secrets.GetValueOrDefault(name) : null;
            sends.Add(async token => hook.Secret is not null && key is null
                ? new Delivery(digest.Environment, "webhook", hook.Url, digest, new DeliveryResult(false, 0, $"Ward holds no value for the secret {hook.Secret} that signs this webhook"))
                : new Delivery(digest.Environment, "webhook", hook.Url, digest, await webhooks.SendAsync(hook.Url, key, digest.JsonBody(), token)));
        }

        List<(DateTimeOffset Queued, Func<CancellationToken, Task<Delivery>> Send)> due;
        lock (_gate)
        {
            due = [.. _outbox];
            _outbox.Clear();
        }

        var now = time.GetUtcNow();
        var attempts = due.Concat(sends.Select(s => (Queued: now, Send: s))).ToList();
        var results = await Task.WhenAll(attempts.Select(a => a.Send(cancellationToken)));
        lock (_gate)
        {
            for (var i = 0; i < results.Length; i++)
            {
                if (!results[i].Result.Delivered && results[i].Result.Attempts > 0 && now - attempts[i].Queued < GiveUpAfter)
                {
                    _outbox.Add(attempts[i]);
                }
            }
        }

        return results;
    }
}
