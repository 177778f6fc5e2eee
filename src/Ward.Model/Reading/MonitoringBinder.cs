using Ward.Model.Compose;
using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Reading;

/// <summary>
/// Binds <c>x-ward.monitoring</c> and <c>x-ward.alerts</c>: the metrics store's settings, and the alert rules' thresholds
/// and durations, each checked against the rule's allowed range (an unknown rule, a threshold out of range or a webhook
/// signed with an undeclared secret is an error naming where it is and what is allowed).
/// </summary>
internal sealed class MonitoringBinder(DiagnosticBag diagnostics)
{
    private static readonly ModelPath Section = ModelPath.Root.Child("x-ward");

    public MonitoringSpec? Monitoring(YNode? ward)
    {
        var monitoring = ward.Get("monitoring");
        if (monitoring is not YMapping)
        {
            return null;
        }

        var path = Section.Child("monitoring");
        var spec = new MonitoringSpec { Node = monitoring.Get("node").Text() };
        if (ServiceBinder.Duration(monitoring.Get("retention")) is { } retention)
        {
            if (retention < TimeSpan.FromHours(1))
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("retention").ToString(), $"retention {monitoring.Get("retention").Text()} is too short: keep samples at least 1h (the console plots up to 7 days)", monitoring.Get("retention")?.Location);
            }

            spec = spec with { Retention = retention };
        }

        if (ServiceBinder.Duration(monitoring.Get("scrape_interval")) is { } interval)
        {
            if (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromSeconds(15))
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("scrape_interval").ToString(), $"scrape_interval {monitoring.Get("scrape_interval").Text()} is out of range: allowed is 1s to 15s (a 15-second spike must show)", monitoring.Get("scrape_interval")?.Location);
            }

            spec = spec with { ScrapeInterval = interval };
        }

        if (monitoring.Get("retention_size") is YScalar size)
        {
            if (ByteSize.TryParse(size.Value, out var bytes, out var error) && bytes >= 64L << 20)
            {
                spec = spec with { RetentionBytes = bytes };
            }
            else
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("retention_size").ToString(), error ?? $"retention_size {size.Value} is too small: allowed is 64m or more", size.Location);
            }
        }

        if (monitoring.Get("port") is YScalar portNode)
        {
            if (portNode.Int() is { } port and >= 1 and <= 65535)
            {
                spec = spec with { Port = port };
            }
            else
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("port").ToString(), $"port {portNode.Value} is out of range: allowed is 1 to 65535", portNode.Location);
            }
        }

        return spec;
    }

    public AlertsSpec? Alerts(YNode? ward, IReadOnlySet<string> secrets)
    {
        var alerts = ward.Get("alerts");
        if (alerts is not YMapping)
        {
            return null;
        }

        var path = Section.Child("alerts");
        var rules = new List<AlertRuleSetting>();
        foreach (var (id, value, keyNode) in alerts.Get("rules").Entries())
        {
            var at = path.Child("rules").Child(id);
            if (AlertCatalog.Find(id) is not { } rule)
            {
                diagnostics.Error(DiagnosticCodes.Ward, at.ToString(), $"there is no alert rule '{id}'; the rules are {AlertCatalog.Ids}", keyNode.Location);
                continue;
            }

            var setting = new AlertRuleSetting(id) { Enabled = value.Get("enabled").Bool() };
            if (value.Get("threshold") is YScalar thresholdNode && thresholdNode.Double() is { } threshold)
            {
                if (rule.ThresholdProblem(threshold) is { } problem)
                {
                    diagnostics.Error(DiagnosticCodes.Ward, at.Child("threshold").ToString(), $"threshold {problem}", thresholdNode.Location);
                }
                else
                {
                    setting = setting with { Threshold = threshold };
                }
            }

            if (value.Get("for") is YScalar forNode && ServiceBinder.Duration(forNode) is { } wait)
            {
                if (AlertRuleDefinition.ForProblem(wait) is { } problem)
                {
                    diagnostics.Error(DiagnosticCodes.Ward, at.Child("for").ToString(), $"for {forNode.Value}: {problem}", forNode.Location);
                }
                else
                {
                    setting = setting with { For = wait };
                }
            }

            rules.Add(setting);
        }

        var email = alerts.Get("email").Strings();
        var emailItems = alerts.Get("email").Items();
        for (var i = 0; i < email.Count; i++)
        {
            if (!System.Net.Mail.MailAddress.TryCreate(email[i], out var address) || address.Address != email[i])
            {
                diagnostics.Error(DiagnosticCodes.Ward, path.Child("email").Index(i).ToString(), $"'{email[i]}' is not an e-mail address (e.g. ops@example.org)", emailItems[i].Location);
            }
        }

        var webhooks = new List<WebhookSpec>();
        var hookItems = alerts.Get("webhooks").Items();
        for (var i = 0; i < hookItems.Count; i++)
        {
            var at = path.Child("webhooks").Index(i);
            var url = hookItems[i].Get("url").Text() ?? "";
            if (!(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
            {
                diagnostics.Error(DiagnosticCodes.Ward, at.Child("url").ToString(), $"'{url}' is not an http:// or https:// URL", hookItems[i].Get("url")?.Location);
            }

            var secret = hookItems[i].Get("secret").Text();
            if (secret is not null && !secrets.Contains(secret))
            {
                var known = secrets.Count == 0 ? "the file declares no secrets" : $"its secrets are {string.Join(", ", secrets.Order(StringComparer.Ordinal))}";
                diagnostics.Error(DiagnosticCodes.Ward, at.Child("secret").ToString(), $"the webhook is signed with secret '{secret}', which the file does not declare under secrets: ({known})", hookItems[i].Get("secret")?.Location);
            }

            webhooks.Add(new WebhookSpec(url, secret));
        }

        return new AlertsSpec { Rules = rules.ToValueList(), Email = email, Webhooks = webhooks.ToValueList() };
    }
}
