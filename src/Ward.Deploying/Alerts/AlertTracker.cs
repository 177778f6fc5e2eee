using Ward.Model.Spec;

namespace Ward.Deploying.Alerts;

/// <summary>An alert Ward knows of: pending (its condition holds, not yet for the rule's duration) or firing.</summary>
public sealed record Alert(string Environment, string Rule, string Subject, string Detail, DateTimeOffset Since, DateTimeOffset? FiringSince)
{
    public bool Firing => FiringSince is not null;

    public DateTimeOffset? SilencedUntil { get; init; }

    public string? AcknowledgedBy { get; init; }

    public string Key => $"{Rule}|{Subject}";
}

/// <summary>What changed in one evaluation: an alert that started firing, or one that fired and is over.</summary>
/// <param name="Kind">Firing or resolved.</param>
/// <param name="Alert">The alert as it was then.</param>
/// <param name="At">When the evaluation saw the change.</param>
/// <param name="Silenced">Recorded, but told to no one: the alert is silenced.</param>
public sealed record AlertNotice(AlertNoticeKind Kind, Alert Alert, DateTimeOffset At, bool Silenced = false);

public enum AlertNoticeKind
{
    Firing,
    Resolved,
}

/// <summary>
/// One environment's alerts over time. Each evaluation takes the conditions that hold now: a condition becomes an
/// alert when first seen, fires once it has held for its rule's duration (one notice), and resolves when it no longer
/// holds (one notice, only if it fired). An alert that stays firing is never announced again, so a flapping swarm
/// cannot flood anyone; while a silence lasts, the alert's notices are marked silenced (recorded, told to no one). Not thread-safe: one caller
/// evaluates an environment at a time.
/// </summary>
public sealed class AlertTracker(string environment)
{
    private readonly Dictionary<string, Alert> _alerts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _silences = new(StringComparer.Ordinal);

    public string Environment => environment;

    /// <summary>Alerts pending or firing, firing first, oldest first.</summary>
    public IReadOnlyList<Alert> Current(DateTimeOffset now) =>
        [.. _alerts.Values.Select(a => a with { SilencedUntil = SilencedUntil(a.Key, now) })
            .OrderBy(a => a.Firing ? 0 : 1).ThenBy(a => a.FiringSince ?? a.Since).ThenBy(a => a.Key, StringComparer.Ordinal)];

    public IReadOnlyList<AlertNotice> Evaluate(IReadOnlyList<AlertCondition> conditions, AlertsSpec? settings, DateTimeOffset now)
    {
        var notices = new List<AlertNotice>();
        var holding = conditions.Where(c => Enabled(settings, c.Rule)).GroupBy(c => c.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var (key, alert) in _alerts.ToList())
        {
            if (!holding.ContainsKey(key))
            {
                _alerts.Remove(key);
                if (alert.Firing)
                {
                    notices.Add(new(AlertNoticeKind.Resolved, alert, now, SilencedUntil(key, now) is not null));
                }
            }
        }

        foreach (var (key, condition) in holding)
        {
            var alert = _alerts.TryGetValue(key, out var known)
                ? known with { Detail = condition.Detail }
                : new Alert(environment, condition.Rule, condition.Subject, condition.Detail, now, null);
            if (!alert.Firing && now - alert.Since >= For(settings, condition.Rule))
            {
                alert = alert with { FiringSince = now };
                notices.Add(new(AlertNoticeKind.Firing, alert, now, SilencedUntil(key, now) is not null));
            }

            _alerts[key] = alert;
        }

        return notices;
    }

    /// <summary>No notices for this rule and subject until <paramref name="until"/>; false when Ward knows no such alert.</summary>
    public bool Silence(string rule, string subject, DateTimeOffset until)
    {
        var key = $"{rule}|{subject}";
        if (!_alerts.ContainsKey(key))
        {
            return false;
        }

        _silences[key] = until;
        return true;
    }

    /// <summary>Someone is on it: the alert stays listed, marked with who took it; false when it is not firing.</summary>
    public bool Acknowledge(string rule, string subject, string who)
    {
        var key = $"{rule}|{subject}";
        if (!_alerts.TryGetValue(key, out var alert) || !alert.Firing)
        {
            return false;
        }

        _alerts[key] = alert with { AcknowledgedBy = who };
        return true;
    }

    private DateTimeOffset? SilencedUntil(string key, DateTimeOffset now) =>
        _silences.TryGetValue(key, out var until) && until > now ? until : null;

    private static bool Enabled(AlertsSpec? settings, string rule) =>
        settings?.Rules.FirstOrDefault(r => r.Rule == rule)?.Enabled ?? true;

    private static TimeSpan For(AlertsSpec? settings, string rule) =>
        settings?.Rules.FirstOrDefault(r => r.Rule == rule)?.For ?? AlertCatalog.Find(rule)?.For ?? TimeSpan.Zero;
}
