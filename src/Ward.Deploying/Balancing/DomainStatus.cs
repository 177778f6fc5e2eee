using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ward.Deploying.Balancing;

/// <summary>How the load balancer serves a domain now, as `ward status` and the console show it.</summary>
/// <param name="Domain">The host name.</param>
/// <param name="Scheme">https, or http while an ACME domain waits to be ready for its certificate.</param>
/// <param name="Authority">acme or internal: who signs its certificate (null while it waits).</param>
/// <param name="Certificate">The certificate it holds for the domain, if any.</param>
/// <param name="LastError">The last certificate error the load balancer logged for it (a failed order or renewal).</param>
public sealed record DomainStatus(string Domain, string Scheme, string? Authority, CertificateInfo? Certificate, string? LastError)
{
    /// <summary>How long before expiry a certificate is reported: renewal starts at 30 days, so 21 means it failed for 9.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(21);

    /// <summary>The domains of the routes in force, each with its certificate and last error.</summary>
    public static IReadOnlyList<DomainStatus> Of(BalancerState state)
    {
        var servers = state.Config?["apps"]?["http"]?["servers"];
        var https = Hosts(servers?["https"]).ToList();
        var http = Hosts(servers?["http"]).Where(h => !https.Contains(h, StringComparer.OrdinalIgnoreCase)).ToList();
        var authorities = Authorities(state.Config);
        return [.. https.Select(d => new DomainStatus(d, "https", authorities.GetValueOrDefault(d), state.CertificateOf(d), LastErrorOf(state.Errors, d)))
            .Concat(http.Select(d => new DomainStatus(d, "http", null, state.CertificateOf(d), LastErrorOf(state.Errors, d))))];
    }

    /// <summary>
    /// What needs attention: an ACME certificate within <see cref="ExpiryWarning"/> of expiry, or an error and no
    /// certificate. (The load balancer's own authority issues certificates for hours and renews them itself.)
    /// </summary>
    public string? Problem(DateTimeOffset now) => Problem(now, ExpiryWarning);

    /// <summary>As <see cref="Problem(DateTimeOffset)"/>, reporting an ACME certificate within <paramref name="warning"/> of expiry.</summary>
    public string? Problem(DateTimeOffset now, TimeSpan warning)
    {
        if (Authority == "acme" && Certificate is { } certificate && certificate.NotAfter - now < warning)
        {
            return $"its certificate expires {certificate.NotAfter:u}, in {(certificate.NotAfter - now).TotalDays:0} days, and has not been renewed{(LastError is null ? "" : $": {LastError}")}";
        }

        return LastError is not null && Certificate is null ? $"no certificate yet: {LastError}" : null;
    }

    /// <summary>Each name of the TLS policies, and the module of its issuer (acme, internal).</summary>
    private static Dictionary<string, string> Authorities(JsonObject? config)
    {
        var authorities = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var policy in config?["apps"]?["tls"]?["automation"]?["policies"] as JsonArray ?? [])
        {
            var module = policy?["issuers"]?[0]?["module"]?.GetValue<string>();
            foreach (var subject in policy?["subjects"] as JsonArray ?? [])
            {
                if (subject?.GetValue<string>() is { } name && module is not null)
                {
                    authorities[name] = module;
                }
            }
        }

        return authorities;
    }

    /// <summary>The domains' certificates as the rules read them (TLS-001).</summary>
    public static IReadOnlyDictionary<string, Rules.DomainCertificate> Certificates(IReadOnlyList<DomainStatus> domains) =>
        domains.Where(d => d.Certificate is not null).ToDictionary(
            d => d.Domain,
            d => new Rules.DomainCertificate(d.Certificate!.Issuer, d.Certificate.NotAfter, d.Authority == "acme", d.LastError),
            StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<string> Hosts(JsonNode? server) =>
        (server?["routes"] as JsonArray ?? [])
            .SelectMany(r => r?["match"] as JsonArray ?? [])
            .SelectMany(m => m?["host"] as JsonArray ?? [])
            .Select(h => h?.GetValue<string>())
            .OfType<string>()
            .Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>The "error" of the last JSON log line that names the domain.</summary>
    private static string? LastErrorOf(IReadOnlyList<string> errors, string domain)
    {
        foreach (var line in errors.Reverse())
        {
            if (!line.Contains(domain, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            try
            {
                using var json = JsonDocument.Parse(line);
                return json.RootElement.TryGetProperty("error", out var error) ? error.GetString() : json.RootElement.GetProperty("msg").GetString();
            }
            catch (JsonException)
            {
                return line;
            }
            catch (KeyNotFoundException)
            {
                return line;
            }
        }

        return null;
    }
}
