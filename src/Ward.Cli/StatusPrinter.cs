using System.Text.Json;
using Ward.Deploying.Balancing;
using Ward.Engine.Observing;

namespace Ward.Cli;

/// <summary>Shows an environment's status: text for people, JSON for machines.</summary>
internal static class StatusPrinter
{
    public static void Text(EnvironmentStatusReport report, IReadOnlyList<DomainStatus> domains, string where)
    {
        var output = Console.Out;
        output.WriteLine($"{report.Environment} on {where}: {report.Verdict.ToString().ToLowerInvariant()}");
        output.WriteLine();
        output.WriteLine($"{"NODE",-20} {"ROLE",-8} {"STATE",-8} {"AVAILABILITY",-12} ADDRESS");
        foreach (var node in report.Nodes.OrderBy(n => n.Role).ThenBy(EnvironmentStatus.NodeName, StringComparer.Ordinal))
        {
            output.WriteLine($"{EnvironmentStatus.NodeName(node),-20} {node.Role,-8} {node.State,-8} {node.Availability,-12} {node.Address}");
        }

        output.WriteLine();
        output.WriteLine($"{"SERVICE",-32} {"TASKS",-7} {"STATE",-12} NODES");
        foreach (var service in report.Services)
        {
            output.WriteLine($"{service.Name,-32} {$"{service.Running}/{service.Desired}",-7} {service.State,-12} {string.Join(", ", service.Nodes)}");
            if (service.LastError is not null && service.State != "converged")
            {
                output.WriteLine($"    last error: {service.LastError}");
            }

            if (service.Advice is { } advice)
            {
                output.WriteLine($"    what to do: {advice}");
            }
        }

        if (domains.Count > 0)
        {
            var now = DateTimeOffset.UtcNow;
            output.WriteLine();
            output.WriteLine($"{"DOMAIN",-32} {"SERVED",-7} {"SIGNED BY",-9} CERTIFICATE");
            foreach (var domain in domains)
            {
                var certificate = domain.Certificate is { } c ? $"{c.Issuer}, valid until {c.NotAfter:yyyy-MM-dd} ({(c.NotAfter - now).TotalDays:0} days)" : "none yet";
                output.WriteLine($"{domain.Domain,-32} {domain.Scheme,-7} {domain.Authority ?? "-",-9} {certificate}");
                if (domain.LastError is { } error)
                {
                    output.WriteLine($"    last certificate error: {error}");
                }
            }
        }

        foreach (var reason in report.Reasons)
        {
            output.WriteLine($"! {reason}");
        }

        foreach (var domain in domains.Where(d => d.Problem(DateTimeOffset.UtcNow) is not null))
        {
            output.WriteLine($"! {domain.Domain}: {domain.Problem(DateTimeOffset.UtcNow)}");
        }
    }

    public static void Json(EnvironmentStatusReport report, IReadOnlyList<DomainStatus> domains, string where)
    {
        using var stdout = Console.OpenStandardOutput();
        using var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("environment", report.Environment);
        json.WriteString("target", where);
        json.WriteString("verdict", report.Verdict.ToString().ToLowerInvariant());
        json.WriteStartArray("nodes");
        foreach (var node in report.Nodes)
        {
            json.WriteStartObject();
            json.WriteString("name", EnvironmentStatus.NodeName(node));
            json.WriteString("id", node.Id);
            json.WriteString("role", node.Role);
            json.WriteString("state", node.State);
            json.WriteString("availability", node.Availability);
            json.WriteString("address", node.Address);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("services");
        foreach (var service in report.Services)
        {
            json.WriteStartObject();
            json.WriteString("name", service.Name);
            json.WriteNumber("running", service.Running);
            json.WriteNumber("desired", service.Desired);
            json.WriteString("state", service.State);
            json.WriteString("lastError", service.LastError);
            json.WriteString("advice", service.Advice);
            json.WriteString("image", service.Image);
            json.WriteStartArray("nodes");
            service.Nodes.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("domains");
        foreach (var domain in domains)
        {
            json.WriteStartObject();
            json.WriteString("domain", domain.Domain);
            json.WriteString("served", domain.Scheme);
            json.WriteString("authority", domain.Authority);
            json.WriteString("issuer", domain.Certificate?.Issuer);
            if (domain.Certificate is { } certificate)
            {
                json.WriteString("notAfter", certificate.NotAfter);
            }

            json.WriteString("lastError", domain.LastError);
            json.WriteString("problem", domain.Problem(DateTimeOffset.UtcNow));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("reasons");
        report.Reasons.ToList().ForEach(json.WriteStringValue);
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stdout.Write("\n"u8);
    }
}
