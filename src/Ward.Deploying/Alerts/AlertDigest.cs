using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ward.Deploying.Alerts;

/// <summary>
/// The notices of one evaluation of one environment, grouped into one message: a single mail and a single webhook call
/// however many nodes went down together, rather than one per alert.
/// </summary>
public sealed record AlertDigest(string Environment, IReadOnlyList<AlertNotice> Notices)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) } };

    public int Firing => Notices.Count(n => n.Kind == AlertNoticeKind.Firing);

    public int Resolved => Notices.Count(n => n.Kind == AlertNoticeKind.Resolved);

    /// <summary>[Ward] clinic-prod: 2 firing (node-down worker-1, ...), 1 resolved</summary>
    public string Subject
    {
        get
        {
            var parts = new List<string>();
            if (Firing > 0)
            {
                parts.Add($"{Firing} firing ({string.Join(", ", Notices.Where(n => n.Kind == AlertNoticeKind.Firing).Take(3).Select(n => $"{n.Alert.Rule} {n.Alert.Subject}"))}{(Firing > 3 ? ", ..." : "")})");
            }

            if (Resolved > 0)
            {
                parts.Add($"{Resolved} resolved");
            }

            return $"[Ward] {Environment}: {string.Join(", ", parts)}";
        }
    }

    /// <summary>One paragraph per notice: what, about what, since when, and why the rule matters.</summary>
    public string Text()
    {
        var text = new StringBuilder();
        foreach (var notice in Notices)
        {
            var alert = notice.Alert;
            var rule = Model.Spec.AlertCatalog.Find(alert.Rule);
            text.Append(CultureInfo.InvariantCulture, $"{(notice.Kind == AlertNoticeKind.Firing ? "FIRING" : "RESOLVED")}: {rule?.Title ?? alert.Rule} — {alert.Subject}\n");
            text.Append(CultureInfo.InvariantCulture, $"  {alert.Detail}\n");
            text.Append(CultureInfo.InvariantCulture, $"  since {alert.Since.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC{(notice.Kind == AlertNoticeKind.Resolved ? $", resolved {notice.At.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "")}\n");
            if (notice.Kind == AlertNoticeKind.Firing && rule is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {rule.Explanation}\n");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The webhook's body: {"environment", "notices": [{"kind", "rule", "subject", "detail", "since", "at"}]}.</summary>
    public string JsonBody() => JsonSerializer.Serialize(
        new
        {
            environment = Environment,
            notices = Notices.Select(n => new { kind = n.Kind, rule = n.Alert.Rule, subject = n.Alert.Subject, detail = n.Alert.Detail, since = n.Alert.Since, at = n.At }),
        },
        Json);
}
