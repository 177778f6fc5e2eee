using Ward.Deploying.Balancing;
using Ward.Server.Auth;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>An environment's domains: their DNS as Ward has seen it over time, and how the load balancer serves them.</summary>
public static class DomainEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var domains = api.MapGroup("/environments/{name}/domains").WithTags("Domains");
        domains.MapGet("/", ListAsync)
            .WithSummary("Each domain: its A records as Ward has seen them (since when it points at the manager, observed), how the load balancer serves it, and its certificate")
            .Requires(Roles.Viewer, "name");
        domains.MapPost("/checks", CheckAsync)
            .WithSummary("Look up the domains' A records now (the server also does every Ward:DnsCheckInterval)")
            .Requires(Roles.Deployer, "name");
    }

    private static async Task<IResult> ListAsync(string name, HttpContext context, EnvironmentService environments, DomainObservations observations, TimeProvider time)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
        }

        var history = await observations.HistoryAsync(name, context.RequestAborted);
        var mapped = DomainObservations.MappedSince(history);
        var served = await environments.Balancer().ObserveAsync(name, context.RequestAborted) is { } state ? DomainStatus.Of(state) : [];
        var now = time.GetUtcNow();
        return Results.Ok(environment.Spec.Domains.Select(domain =>
        {
            var rows = history.GetValueOrDefault(domain.Name) ?? [];
            var lb = served.FirstOrDefault(s => string.Equals(s.Domain, domain.Name, StringComparison.OrdinalIgnoreCase));
            return new
            {
                name = domain.Name,
                service = domain.Service,
                port = domain.Port,
                path = domain.Path,
                redirects = domain.Redirects,
                records = rows.Count == 0 ? null : rows[^1].Records.Split(',', StringSplitOptions.RemoveEmptyEntries),
                pointsAtManager = rows.Count == 0 ? (bool?)null : rows[^1].PointsAtManager,
                lastChecked = rows.Count == 0 ? (DateTimeOffset?)null : rows[^1].LastSeen,
                mappedSince = mapped.TryGetValue(domain.Name, out var since) ? since : (DateTimeOffset?)null,
                mappedAtDeclared = domain.MappedAt,
                history = rows.Select(r => new { records = r.Records, pointsAtManager = r.PointsAtManager, since = r.Since, lastSeen = r.LastSeen }),
                served = lb?.Scheme,
                authority = lb?.Authority,
                certificate = lb?.Certificate is { } certificate ? new { issuer = certificate.Issuer, notBefore = certificate.NotBefore, notAfter = certificate.NotAfter } : null,
                lastError = lb?.LastError,
                problem = lb?.Problem(now),
            };
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
