namespace Ward.Engine.Balancing;

/// <summary>How the load balancer serves a domain's traffic.</summary>
public enum RouteTls
{
    /// <summary>HTTPS with a certificate ordered by ACME (HTTP-01); port 80 redirects to it.</summary>
    Acme,

    /// <summary>HTTPS with a certificate from the load balancer's own authority (staging, the local cluster).</summary>
    Internal,

    /// <summary>
    /// Plain HTTP, while an ACME domain is not ready for an order (its A record does not point at the manager yet, or
    /// the challenge path does not answer): no order is placed that would fail and count against the CA's limits.
    /// </summary>
    WaitingForDns,
}

/// <summary>One domain the load balancer routes: to a service's tasks, found by DNS on the overlay network.</summary>
/// <param name="Domain">The host name.</param>
/// <param name="Service">The service's scoped name (clinic-prod_web).</param>
/// <param name="Port">The service's container port.</param>
/// <param name="PathPrefix">Only requests under this prefix (e.g. /api), or null for every path.</param>
/// <param name="Redirects">Names that redirect permanently to this one (www → apex).</param>
/// <param name="Tls">How it is served.</param>
/// <param name="Hsts">Send Strict-Transport-Security on its HTTPS answers.</param>
public sealed record Route(string Domain, string Service, int Port, string? PathPrefix, IReadOnlyList<string> Redirects, RouteTls Tls, bool Hsts)
{
    /// <summary>The DNS name that resolves to the service's running tasks on its networks.</summary>
    public string TasksName => $"tasks.{Service}";
}

/// <summary>Settings of the load balancer itself, the same for every route.</summary>
/// <param name="AcmeDirectory">The ACME directory certificates are ordered from.</param>
/// <param name="AcmeEmail">The address the ACME authority writes to, or null.</param>
/// <param name="AcmeCaRootPem">The root of a private ACME directory's own HTTPS certificate, or null (public CAs).</param>
/// <param name="ProbeToken">What the probe path answers, for Ward's check that a domain reaches this load balancer.</param>
public sealed record BalancerSettings(string AcmeDirectory, string? AcmeEmail, string? AcmeCaRootPem, string ProbeToken)
{
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>The path, on port 80 of every name, that answers <see cref="ProbeToken"/>.</summary>
    public const string ProbePath = "/.well-known/ward-probe";
}
