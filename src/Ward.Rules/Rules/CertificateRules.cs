using Ward.Model.Diagnostics;

namespace Ward.Rules.Rules;

/// <summary>TLS-001: each domain's ACME certificate renews in time (needs the load balancer's certificates).</summary>
public sealed class CertificateRenewalRule : Rule
{
    /// <summary>Renewal starts 30 days before expiry: 21 days left means it has been failing for 9.</summary>
    public static readonly TimeSpan Warning = TimeSpan.FromDays(21);

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "TLS-001",
        Title = "Certificates renew in time",
        Severity = Severity.Error,
        NeedsLiveData = "the load balancer's certificates",
        Why = "The load balancer renews a certificate from 30 days before it expires. One still due within 21 days has failed to renew for over a week, and when it expires every browser refuses the site; a renewal error is the early sign (DNS moved away, port 80 closed, the authority's limits).",
        Fix = "See the error in ward status: check that the domain's A record still points at the manager and that port 80 reaches it from the internet, then apply again; the load balancer retries by itself.",
        Source = "Let's Encrypt (90-day certificates, renewal 30 days ahead, rate limits on failed validations); RFC 8555.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        for (var i = 0; i < context.Spec.Domains.Count; i++)
        {
            var domain = context.Spec.Domains[i];
            if (context.Live?.Certificate(domain.Name) is not { Acme: true } certificate)
            {
                continue;
            }

            var left = certificate.NotAfter - context.Now;
            if (left < Warning)
            {
                yield return Report(
                    Paths.Ward("domains", i, "name"),
                    $"the certificate of {domain.Name} from {certificate.Issuer} expires {certificate.NotAfter:u}, in {Math.Max(0, left.TotalDays):0} days, and has not been renewed{(certificate.LastError is null ? "" : $": {certificate.LastError}")}",
                    subject: $"domain {domain.Name}",
                    value: $"expires {certificate.NotAfter:u}");
            }
            else if (certificate.LastError is { } error)
            {
                yield return Report(
                    Paths.Ward("domains", i, "name"),
                    $"renewing the certificate of {domain.Name} failed: {error} (it is valid until {certificate.NotAfter:u}; the load balancer retries)",
                    Severity.Warning,
                    subject: $"domain {domain.Name}");
            }
        }
    }
}
