using System.Text;
using System.Text.Json.Nodes;
using Ward.Deploying.Live;
using Ward.Deploying.Loading;
using Ward.Engine.Balancing;
using Ward.Engine.Ports;
using Ward.Model.Spec;

namespace Ward.Deploying.Balancing;

/// <summary>How the load balancer serves one domain now, and why.</summary>
public sealed record RouteStatus(string Domain, RouteTls Tls, string Note);

/// <summary>The routes as decided, the configuration they make, and whether it differs from the one in force.</summary>
public sealed record RoutesPlan(IReadOnlyList<RouteStatus> Routes, JsonObject Config, bool Changes, BalancerState? State);

/// <summary>
/// Keeps the load balancer's routes as the file's domains ask, on the running task, without restarting it: reads what
/// it holds (through the Engine API's exec), decides how each domain is served, and sends the routes when they
/// differ. An ACME domain gets a certificate order only once Ward has seen its A record point at the manager and its
/// probe path answer there, as the authority's HTTP-01 check will: until then it is served over plain HTTP, so no
/// order fails and counts against the authority's limits.
/// </summary>
public sealed class LoadBalancerSync(IEngine engine, IDomainResolver dns, IRouteProbe probe)
{
    private static readonly string[] Tool = ["/usr/local/bin/ward-lb"];

    /// <summary>
    /// How the load balancer serves the environment's domains, or why that is unknown: when the engine cannot be
    /// reached the domains' DNS history is still worth showing (that is often when someone looks), so the failure is
    /// an answer here rather than an exception.
    /// </summary>
    public async Task<(IReadOnlyList<DomainStatus> Served, string? Unknown)> ServedAsync(string environment, CancellationToken cancellationToken)
    {
        try
        {
            return (await ObserveAsync(environment, cancellationToken) is { } state ? DomainStatus.Of(state) : [], null);
        }
        catch (Exception e) when (e is EngineUnavailableException or NotSwarmManagerException)
        {
            return ([], $"the load balancer could not be asked: {e.Message}");
        }
    }

    /// <summary>What the load balancer's running task holds, or null when it has none running.</summary>
    public async Task<BalancerState?> ObserveAsync(string environment, CancellationToken cancellationToken)
    {
        var service = (await engine.ListAsync(ObjectKind.Service, environment, cancellationToken)).FirstOrDefault(s => s.Name == LoadBalancerService.ServiceName(environment));
        if (service is null)
        {
            return null;
        }

        var task = (await engine.ListTasksAsync([service.Id], cancellationToken))
            .Where(t => t is { DesiredState: "running", State: "running", ContainerId: not null })
            .MaxBy(t => t.Timestamp);
        if (task is null)
        {
            return null;
        }

        var container = task.ContainerId!;
        var shown = await RunAsync(container, "show", new Dictionary<string, string>(), cancellationToken);
        var certificates = await RunAsync(container, "certificates", new Dictionary<string, string>(), cancellationToken);
        var errors = await RunAsync(container, "errors", new Dictionary<string, string>(), cancellationToken);
        return new BalancerState(
            container,
            string.IsNullOrWhiteSpace(shown) ? null : JsonNode.Parse(shown) as JsonObject,
            CertificateInfo.ParseListing(certificates),
            [.. errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]);
    }

    /// <summary>The root certificate (PEM) of the load balancer's own authority, which signs the internal domains' certificates.</summary>
    /// <exception cref="EngineRequestException">The load balancer has no running task, or no authority yet.</exception>
    public async Task<string> InternalRootAsync(string environment, CancellationToken cancellationToken)
    {
        var state = await ObserveAsync(environment, cancellationToken)
            ?? throw new EngineRequestException($"{environment} has no load balancer running (it has one when its file declares domains)");
        return await RunAsync(state.ContainerId, "root", new Dictionary<string, string>(), cancellationToken);
    }

    /// <summary>How each domain would be served now and whether that changes the routes in force. Changes nothing.</summary>
    public async Task<RoutesPlan> PlanAsync(LoadedEnvironment environment, CancellationToken cancellationToken)
    {
        var state = await ObserveAsync(environment.Name, cancellationToken);
        var routes = await DecideAsync(environment, state, checkReadiness: true, cancellationToken);
        var config = CaddyConfig.Build(Routes(environment, routes), RoutePlanner.Settings(environment));
        return new RoutesPlan(routes, config, state?.Config is not { } live || !JsonNode.DeepEquals(live, config), state);
    }

    /// <summary>
    /// Sends the routes the file asks for to the running load balancer, when they differ from those in force. ACME
    /// domains not yet known ready are first served over HTTP with the probe path, then checked, then given HTTPS.
    /// </summary>
    /// <exception cref="EngineRequestException">The load balancer has no running task, or refused the routes.</exception>
    public async Task<RoutesPlan> SyncAsync(LoadedEnvironment environment, CancellationToken cancellationToken)
    {
        var state = await ObserveAsync(environment.Name, cancellationToken)
            ?? throw new EngineRequestException($"the load balancer of {environment.Name} has no running task on the manager; see ward status {environment.Name}");
        var settings = RoutePlanner.Settings(environment);

        // The probe path must be served before any domain can be checked through it.
        var provisional = await DecideAsync(environment, state, checkReadiness: false, cancellationToken);
        var config = CaddyConfig.Build(Routes(environment, provisional), settings);
        if (state.Config is null || !HasProbe(state.Config, settings))
        {
            await SendAsync(state.ContainerId, config, settings, cancellationToken);
            state = state with { Config = config };
        }

        var decided = await DecideAsync(environment, state, checkReadiness: true, cancellationToken);
        config = CaddyConfig.Build(Routes(environment, decided), settings);
        var changes = state.Config is not { } live || !JsonNode.DeepEquals(live, config);
        if (changes)
        {
            await SendAsync(state.ContainerId, config, settings, cancellationToken);
        }

        return new RoutesPlan(decided, config, changes, state with { Config = config });
    }

    /// <summary>
    /// How each domain is served: as written (internal), or for ACME: HTTPS when it has a certificate already or is
    /// ready for an order, else plain HTTP until it is. Without <paramref name="checkReadiness"/>, ACME domains without a
    /// certificate are taken as not ready (no look-up, no probe).
    /// </summary>
    private async Task<IReadOnlyList<RouteStatus>> DecideAsync(LoadedEnvironment environment, BalancerState? state, bool checkReadiness, CancellationToken cancellationToken)
    {
        var spec = environment.Spec;
        var manager = ManagerAddress(spec, await engine.ListNodesAsync(cancellationToken));
        var token = RoutePlanner.ProbeToken(environment.Name);
        var statuses = new List<RouteStatus>();
        foreach (var domain in spec.Domains)
        {
            var wanted = RoutePlanner.WantedTls(spec, domain);
            if (wanted == RouteTls.Internal)
            {
                statuses.Add(new RouteStatus(domain.Name, RouteTls.Internal, "HTTPS with the load balancer's own authority"));
                continue;
            }

            if (state?.CertificateOf(domain.Name) is { } certificate)
            {
                statuses.Add(new RouteStatus(domain.Name, RouteTls.Acme, $"HTTPS, certificate from {certificate.Issuer} valid until {certificate.NotAfter:u}"));
                continue;
            }

            var waiting = !checkReadiness ? "not checked yet" : await NotReadyAsync(domain, manager, token, cancellationToken);
            statuses.Add(waiting is null
                ? new RouteStatus(domain.Name, RouteTls.Acme, "HTTPS: its A record points at the manager and the challenge path answers there; certificate ordered")
                : new RouteStatus(domain.Name, RouteTls.WaitingForDns, $"plain HTTP until it is ready for a certificate: {waiting}"));
        }

        return statuses;
    }

    /// <summary>Why an ACME domain is not ready for an order, or null when it is.</summary>
    private async Task<string?> NotReadyAsync(DomainSpec domain, string? manager, string token, CancellationToken cancellationToken)
    {
        if (manager is null)
        {
            return "the manager's address is not known (give it in x-ward.nodes[].address)";
        }

        foreach (var name in new[] { domain.Name }.Concat(domain.Redirects))
        {
            var records = await dns.ResolveAAsync(name, cancellationToken);
            if (records is null)
            {
                return $"{dns.Description} did not answer for {name}";
            }

            if (records.Count == 0 || records.Any(r => r != manager))
            {
                return $"{name} resolves to {(records.Count == 0 ? "nothing" : string.Join(", ", records))}, not only the manager's {manager}";
            }

            if (!await probe.AnswersAsync(manager, name, BalancerSettings.ProbePath, token, cancellationToken))
            {
                return $"http://{name}{BalancerSettings.ProbePath} does not answer through the manager {manager}";
            }
        }

        return null;
    }

    private static IReadOnlyList<Route> Routes(LoadedEnvironment environment, IReadOnlyList<RouteStatus> decided)
    {
        var modes = decided.ToDictionary(d => d.Domain, d => d.Tls, StringComparer.OrdinalIgnoreCase);
        return RoutePlanner.Routes(environment.Spec, d => modes[d.Name]);
    }

    /// <summary>The manager's public address: the file's, else the swarm's manager's.</summary>
    private static string? ManagerAddress(EnvironmentSpec spec, IReadOnlyList<ObservedNode> nodes) =>
        spec.Nodes.FirstOrDefault(n => n.Role == NodeRole.Manager && !string.IsNullOrWhiteSpace(n.Address))?.Address
        ?? nodes.FirstOrDefault(n => n.Role == "manager" && n.IsLeader)?.Address
        ?? nodes.FirstOrDefault(n => n.Role == "manager")?.Address;

    private static bool HasProbe(JsonObject config, BalancerSettings settings) =>
        config.ToJsonString().Contains(settings.ProbeToken, StringComparison.Ordinal);

    private async Task SendAsync(string container, JsonObject config, BalancerSettings settings, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string> { ["WARD_LB_CONFIG"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(config.ToJsonString())) };
        if (settings.AcmeCaRootPem is { } root)
        {
            environment["WARD_LB_CA_ROOT"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(root));
        }

        await RunAsync(container, "apply", environment, cancellationToken);
    }

    private async Task<string> RunAsync(string container, string verb, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        ExecResult result;
        try
        {
            result = await engine.ExecAsync(container, [.. Tool, verb], environment, cancellationToken);
        }
        catch (EngineNotFoundException)
        {
            throw new EngineRequestException("the load balancer runs on another manager than the engine Ward talks to: point --host (or DOCKER_HOST) at the manager that runs it");
        }

        return result.ExitCode == 0
            ? result.Stdout
            : throw new EngineRequestException($"the load balancer refused `ward-lb {verb}` (exit {result.ExitCode}): {result.Stderr.Trim()}");
    }
}
