using Ward.Server.Api.Models;
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
        alerts.MapGet("/", ListAsync).WithName("listAlerts")
            .WithSummary("Alerts pending or firing (rule, subject, since when, silenced, acknowledged by) and the latest deliveries by mail and webhook")
            .Produces<AlertList>().Fails(StatusCodes.Status404NotFound).Requires(Roles.Viewer, "name");
        alerts.MapPost("/silences", SilenceAsync).WithName("silenceAlert")
            .WithSummary("No notices for one alert for a while (audit-logged)")
            .Produces<AlertSilence>().Fails(StatusCodes.Status404NotFound).Requires(Roles.Deployer, "name");
        alerts.MapPost("/acknowledgements", AcknowledgeAsync).WithName("acknowledgeAlert")
            .WithSummary("Mark a firing alert as taken care of, by whom (audit-logged)")
            .Produces(StatusCodes.Status204NoContent).Fails(StatusCodes.Status404NotFound).Requires(Roles.Deployer, "name");
    }

    private static async Task<IResult> ListAsync(string name, HttpContext context, EnvironmentService environments, AlertWatcher watcher)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is null)
        {
            return Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
        }

        return Results.Ok(new AlertList(
            [.. watcher.Current(name).Select(a => new AlertView(
                a.Rule,
                Model.Spec.AlertCatalog.Find(a.Rule)?.Title,
                a.Subject,
                a.Detail,
                a.Firing ? "firing" : "pending",
                a.Since,
                a.FiringSince,
                a.SilencedUntil,
                a.AcknowledgedBy))],
            [.. watcher.Deliveries(name).Select(d => new AlertDeliveryView(d.Channel, d.Target, d.Digest.Subject, d.Result.Delivered, d.Result.Attempts, d.Result.Error))]));
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
        return Results.Ok(new AlertSilence(until));
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
