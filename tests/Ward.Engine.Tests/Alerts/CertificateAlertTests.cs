using Ward.Deploying.Alerts;
using Ward.Deploying.Balancing;
using Ward.Model.Spec;

namespace Ward.Engine.Tests.Alerts;

/// <summary>The certificate rule: an ACME certificate near expiry without renewal, or a failed order or renewal (issue 10's alert).</summary>
public sealed class CertificateAlertTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static DomainStatus Acme(string domain, double daysLeft, string? lastError = null) =>
        new(domain, "https", "acme", new CertificateInfo(domain, "Pebble Intermediate", Now.AddDays(daysLeft - 90), Now.AddDays(daysLeft)), lastError);

    [Fact]
    public void An_acme_certificate_fires_within_21_days_of_expiry_by_default_and_not_before()
    {
        var conditions = AlertConditions.FromCertificates([Acme("a.example.org", 20), Acme("b.example.org", 25)], null, Now);

        var condition = Assert.Single(conditions);
        Assert.Equal(("certificate-expiring", "a.example.org"), (condition.Rule, condition.Subject));
        Assert.Contains("expires 2026-12-27", condition.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_files_threshold_moves_the_window()
    {
        var settings = new AlertsSpec { Rules = ValueList.Of(new AlertRuleSetting("certificate-expiring") { Threshold = 30 }) };

        var condition = Assert.Single(AlertConditions.FromCertificates([Acme("b.example.org", 25)], settings, Now));
        Assert.Equal("b.example.org", condition.Subject);
    }

    [Fact]
    public void A_failed_renewal_fires_although_the_certificate_is_still_far_from_expiry()
    {
        var condition = Assert.Single(AlertConditions.FromCertificates([Acme("a.example.org", 60, "urn:ietf:params:acme:error:rateLimited")], null, Now));
        Assert.Equal("the last certificate order or renewal failed: urn:ietf:params:acme:error:rateLimited", condition.Detail);
    }

    [Fact]
    public void The_load_balancers_own_authority_renews_its_short_certificates_itself_and_never_fires()
    {
        var internalDomain = new DomainStatus("clinic.example.org", "https", "internal", new CertificateInfo("clinic.example.org", "Caddy Local Authority", Now.AddHours(-1), Now.AddHours(11)), null);
        Assert.Empty(AlertConditions.FromCertificates([internalDomain], null, Now));
    }
}
