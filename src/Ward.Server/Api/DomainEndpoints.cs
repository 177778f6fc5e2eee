using Ward.Server.Api.Models;
using Ward.Server.Auth;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>An environment's domains: their DNS as Ward has seen it over time, and how the load balancer serves them.</summary>
public static class DomainEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var domains = api.MapGroup("/environments/{name}/domains").WithTags("Domains");
        domains.MapGet("/", ListAsync).WithName("listDomains")
            .WithSummary("Each domain: its A records as Ward has seen them (since when it points at the manager, observed), how the load balancer serves it, and its certificate")
            .Produces<IReadOnlyList<DomainView>>().Fails(StatusCodes.Status404NotFound).Requires(Roles.Viewer, "name");
        domains.MapPost("/checks", CheckAsync).WithName("checkDomains")
            .WithSummary("Look up the domains' A records now (the server also does every Ward:DnsCheckInterval)")
            .Produces(StatusCodes.Status204NoContent).Fails(StatusCodes.Status404NotFound).Requires(Roles.Deployer, "name");
    }

    private static async Task<IResult> ListAsync(string name, HttpContext context, EnvironmentService environments, DomainObservations observations, TimeProvider time)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
        }

        var history = await observations.HistoryAsync(name, context.RequestAborted);
        var mapped = DomainObservations.MappedSince(history);
        var (served, balancerUnknown) = await environments.Balancer().ServedAsync(name, context.RequestAborted);
        var now = time.GetUtcNow();
        return Results.Ok(environment.Spec.Domains.Select(domain =>
        {
            var rows = history.GetValueOrDefault(domain.Name) ?? [];
            var lb = served.FirstOrDefault(s => string.Equals(s.Domain, domain.Name, StringComparison.OrdinalIgnoreCase));
            return new DomainView(
                domain.Name,
                domain.Service,
                domain.Port,
                domain.Path,
                [.. domain.Redirects],
                rows.Count == 0 ? null : rows[^1].Records.Split(',', StringSplitOptions.RemoveEmptyEntries),
                rows.Count == 0 ? null : rows[^1].PointsAtManager,
                rows.Count == 0 ? null : rows[^1].LastSeen,
                mapped.TryGetValue(domain.Name, out var since) ? since : null,
                domain.MappedAt,
                [.. rows.Select(r => new DomainRecordHistory(r.Records, r.PointsAtManager, r.Since, r.LastSeen))],
                lb?.Scheme,
                lb?.Authority,
                lb?.Certificate is { } certificate ? new DomainCertificate(certificate.Issuer, certificate.NotBefore, certificate.NotAfter) : null,
                lb?.LastError,
                lb?.Problem(now),
                balancerUnknown);
        }));
    }

    private static async Task<IResult> CheckAsync(string name, HttpContext context, EnvironmentService environments, DomainWatcher watcher)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
        }

        await watcher.CheckAsync(environment, context.RequestAborted);
        return Results.NoContent();
    }
}
