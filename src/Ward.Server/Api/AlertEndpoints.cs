using Ward.Server.Auth;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>An environment's alerts: what is pending or firing, the latest deliveries, silences and acknowledgements.</summary>
public static class AlertEndpoints
{
    /// <summary>A silence of an alert: which, and for how many minutes (1 to 10080, a week).</summary>
    public sealed record SilenceRequest(string Rule, string Subject, int Minutes);

    /// <summary>An acknowledgement: someone is on it.</summary>
    public sealed record AcknowledgeRequest(string Rule, string Subject);

    public static void Map(RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/environments/{name}/alerts").WithTags("Alerts");
        alerts.MapGet("/", ListAsync)
            .WithSummary("Alerts pending or firing (rule, subject, since when, silenced, acknowledged by) and the latest deliveries by mail and webhook")
            .Requires(Roles.Viewer, "name");
        alerts.MapPost("/silences", SilenceAsync)
            .WithSummary("No notices for one alert for a while (audit-logged)")
            .Requires(Roles.Deployer, "name");
        alerts.MapPost("/acknowledgements", AcknowledgeAsync)
            .WithSummary("Mark a firing alert as taken care of, by whom (audit-logged)")
            .Requires(Roles.Deployer, "name");
    }

    private static async Task<IResult> ListAsync(string name, HttpContext context, EnvironmentService environments, AlertWatcher watcher)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is null)
        {
            return Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
        }

        return Results.Ok(new
        {
            alerts = watcher.Current(name).Select(a => new
            {
                rule = a.Rule,
                title = Model.Spec.AlertCatalog.Find(a.Rule)?.Title,
                subject = a.Subject,
                detail = a.Detail,
                state = a.Firing ? "firing" : "pending",
                since = a.Since,
                firingSince = a.FiringSince,
                silencedUntil = a.SilencedUntil,
                acknowledgedBy = a.AcknowledgedBy,
            }),
            deliveries = watcher.Deliveries(name).Select(d => new
            {
                channel = d.Channel,
                target = d.Target,
                subject = d.Digest.Subject,
                delivered = d.Result.Delivered,
                attempts = d.Result.Attempts,
                error = d.Result.Error,
            }),
        });
    }

    private static async Task<IResult> SilenceAsync(string name, SilenceRequest request, HttpContext context, AlertWatcher watcher, AuditLog audit, TimeProvider time)
    {
        if (request.Minutes is < 1 or > 10080)
        {
            return Problems.BadRequest(ProblemCodes.InvalidSilence, $"minutes is {request.Minutes}; allowed is 1 to 10080 (a week)");
        }

        var until = time.GetUtcNow().AddMinutes(request.Minutes);
        if (!await watcher.SilenceAsync(name, request.Rule, request.Subject, until))
        {
            return Problems.NotFound(ProblemCodes.AlertNotFound, $"{name} has no alert {request.Rule} for {request.Subject}");
        }

        var principal = (await Access.PrincipalAsync(context))!;
        await audit.RecordAsync(context, principal, "alert.silenced", $"{name}/{request.Rule}/{request.Subject}", after: new { until });
        return Results.Ok(new { until });
    }

    private static async Task<IResult> AcknowledgeAsync(string name, AcknowledgeRequest request, HttpContext context, AlertWatcher watcher, AuditLog audit)
    {
        var principal = (await Access.PrincipalAsync(context))!;
        if (!await watcher.AcknowledgeAsync(name, request.Rule, request.Subject, principal.UserName))
        {
            return Problems.NotFound(ProblemCodes.AlertNotFound, $"{name} has no firing alert {request.Rule} for {request.Subject}");
        }

        await audit.RecordAsync(context, principal, "alert.acknowledged", $"{name}/{request.Rule}/{request.Subject}");
        return Results.NoContent();
    }
}
