using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ward.Deploying.Alerts;
using Ward.Deploying.Balancing;
using Ward.Engine.Observing;
using Ward.Store;

namespace Ward.Server.Services;

/// <summary>
/// Evaluates every registered environment's alert rules against the swarm every Ward:AlertInterval, through the core's
/// <see cref="AlertTracker"/>: one grouped notice per evaluation by mail and webhook, each firing, resolving and
/// delivery (or failed delivery) recorded in the audit log. Alerts are kept in memory: run one replica of the server
/// per store, or each replica tells everyone.
/// </summary>
public sealed partial class AlertWatcher(
    StoreOptions store,
    EnvironmentService environments,
    EngineAccess engine,
    AuditLog audit,
    WardMetrics metrics,
    IOptions<ServerOptions> options,
    TimeProvider time,
    ILogger<AlertWatcher> logger) : BackgroundService
{
    public const string Actor = "ward (alerts)";
    private const int KeptDeliveries = 20;

    private readonly ConcurrentDictionary<string, AlertTracker> _trackers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<Delivery>> _deliveries = new(StringComparer.Ordinal);
    private static readonly TimeSpan CertificateReadInterval = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (DateTimeOffset ReadAt, IReadOnlyList<DomainStatus> Domains)> _served = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly AlertDispatcher _dispatcher = new(
        string.IsNullOrWhiteSpace(options.Value.Smtp.Host) ? null : new AlertMailer(Settings(options.Value.Smtp)),
        new WebhookSender(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, WebhookSender.DefaultBackOff),
        time);

    /// <summary>
    /// The load balancer's domains, read again at most every <see cref="CertificateReadInterval"/>: reading them runs
    /// commands in its task, and certificates change over days, while the swarm's state is read every round.
    /// </summary>
    private async Task<IReadOnlyList<DomainStatus>> ServedDomainsAsync(string environment, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_served.TryGetValue(environment, out var known) && now - known.ReadAt < CertificateReadInterval)
        {
            return known.Domains;
        }

        var (domains, _) = await environments.Balancer().ServedAsync(environment, cancellationToken);
        _served[environment] = (now, domains);
        return domains;
    }

    /// <summary>What an environment has pending or firing now.</summary>
    public IReadOnlyList<Alert> Current(string environment) =>
        _trackers.TryGetValue(environment, out var tracker) ? tracker.Current(time.GetUtcNow()) : [];

    /// <summary>The latest deliveries, newest first.</summary>
    public IReadOnlyList<Delivery> Deliveries(string environment)
    {
        if (!_deliveries.TryGetValue(environment, out var list))
        {
            return [];
        }

        lock (list)
        {
            return [.. list];
        }
    }

    public Task<bool> SilenceAsync(string environment, string rule, string subject, DateTimeOffset until) =>
        WithTrackerAsync(environment, tracker => tracker.Silence(rule, subject, until));

    public Task<bool> AcknowledgeAsync(string environment, string rule, string subject, string who) =>
        WithTrackerAsync(environment, tracker => tracker.Acknowledge(rule, subject, who));

    /// <summary>Changes an environment's alerts between evaluations, never during one; false when it has none.</summary>
    private async Task<bool> WithTrackerAsync(string environment, Func<AlertTracker, bool> change)
    {
        await _gate.WaitAsync();
        try
        {
            return _trackers.TryGetValue(environment, out var tracker) && change(tracker);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Evaluates one environment now: reads the swarm, fires and resolves, delivers, records.</summary>
    public async Task EvaluateAsync(string name, CancellationToken cancellationToken)
    {
        if (await environments.LoadAsync(name, cancellationToken) is not { } environment)
        {
            _trackers.TryRemove(name, out _);
            _served.TryRemove(name, out _);
            return;
        }

        var status = await EnvironmentStatus.ReadAsync(engine.Engine, name, cancellationToken);
        var conditions = AlertConditions.From(status).ToList();
        if (environment.Spec.Domains.Count > 0)
        {
            conditions.AddRange(AlertConditions.FromCertificates(await ServedDomainsAsync(name, cancellationToken), environment.Spec.Alerts, time.GetUtcNow()));
        }

        await _gate.WaitAsync(cancellationToken);
        IReadOnlyList<AlertNotice> notices;
        try
        {
            var tracker = _trackers.GetOrAdd(name, n => new AlertTracker(n));
            notices = tracker.Evaluate(conditions, environment.Spec.Alerts, time.GetUtcNow());
            metrics.AlertsFiring(name, tracker.Current(time.GetUtcNow()).Count(a => a.Firing));
        }
        finally
        {
            _gate.Release();
        }

        foreach (var notice in notices)
        {
            var alert = notice.Alert;
            await audit.RecordAsync(Actor, null, notice.Kind == AlertNoticeKind.Firing ? "alert.firing" : "alert.resolved", $"{name}/{alert.Rule}/{alert.Subject}", after: new { alert.Detail, alert.Since, notice.Silenced });
        }

        var secrets = environment.SecretValues().ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        foreach (var delivery in await _dispatcher.DispatchAsync(new AlertDigest(name, [.. notices.Where(n => !n.Silenced)]), environment.Spec.Alerts, secrets, cancellationToken))
        {
            Remember(delivery);
            await audit.RecordAsync(Actor, null, delivery.Result.Delivered ? "alert.delivered" : "alert.delivery-failed", $"{name}/{delivery.Channel}", after: new { delivery.Target, delivery.Digest.Subject, delivery.Result.Attempts, delivery.Result.Error });
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            List<string> names = [];
            try
            {
                await using var db = store.CreateContext();
                names = await db.Environments.AsNoTracking().Select(e => e.Name).ToListAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogEvaluationFailed(logger, "(the store)", e.Message);
            }

            foreach (var name in names)
            {
                // One environment the swarm cannot answer for does not keep the others from being watched, and a
                // failure never stops the watcher: the next round tries again.
                try
                {
                    await EvaluateAsync(name, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogEvaluationFailed(logger, name, e.Message);
                }
            }

            await Task.Delay(options.Value.AlertInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void Remember(Delivery delivery)
    {
        var list = _deliveries.GetOrAdd(delivery.Environment, _ => []);
        lock (list)
        {
            list.Insert(0, delivery);
            if (list.Count > KeptDeliveries)
            {
                list.RemoveAt(list.Count - 1);
            }
        }
    }

    private static SmtpSettings Settings(SmtpOptions smtp) => new()
    {
        Host = smtp.Host!,
        Port = smtp.Port,
        From = smtp.From,
        UserName = smtp.UserName,
        Password = smtp.Password,
        StartTls = smtp.StartTls,
    };

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluating the alert rules of {Environment} failed: {Reason}")]
    private static partial void LogEvaluationFailed(ILogger logger, string environment, string reason);
}
