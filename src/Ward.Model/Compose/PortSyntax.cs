using System.Globalization;
using System.Net;
using Ward.Model.Spec;

namespace Ward.Model.Compose;

/// <summary>
/// Reads a port in short syntax with the grammar of Docker's nat.ParsePortSpec:
/// <c>[[ip:]published:]target[/protocol]</c>, split on ':' from the right. Published and target may be ranges of
/// equal length, or a published range for a single target (each of its ports to the target). An IPv6 address goes in
/// brackets. Short-syntax ports publish in ingress mode, as with the CLI; a host IP is accepted but Swarm ignores it.
/// </summary>
public static class PortSyntax
{
    public static bool TryParse(string text, out List<PortSpec> ports, out string? error)
    {
        ports = [];
        error = null;
        var protocol = "tcp";
        var body = text;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var rest = text[(slash + 1)..];
            var nextSlash = rest.IndexOf('/', StringComparison.Ordinal);
            protocol = (nextSlash < 0 ? rest : rest[..nextSlash]).ToLowerInvariant();
            if (protocol.Length == 0)
            {
                protocol = "tcp";
            }

            body = text[..slash];
            if (protocol is not ("tcp" or "udp" or "sctp"))
            {
                return Fail(text, $"has protocol '{protocol}'; allowed are tcp, udp and sctp", out error);
            }
        }

        // Split from the right: target, then published, and whatever is left is the IP.
        var lastColon = body.LastIndexOf(':');
        var target = lastColon < 0 ? body : body[(lastColon + 1)..];
        string? published = null;
        string? hostIp = null;
        if (lastColon >= 0)
        {
            var left = body[..lastColon];
            var colon = left.LastIndexOf(':');
            published = colon < 0 ? left : left[(colon + 1)..];
            if (colon > 0)
            {
                // An empty IP ("::80", ":8080:80" has none) means no IP, as in Docker's nat.ParsePortSpec.
                hostIp = left[..colon];
                if (!IsAddress(hostIp))
                {
                    return Fail(text, $"has '{hostIp}', which is not an IP address", out error);
                }
            }
        }

        if (!TryRange(target, out var targetFrom, out var targetTo))
        {
            return Fail(text, $"has target '{target}', which is not a port (0-65535) or a range a-b", out error);
        }

        if (string.IsNullOrEmpty(published))
        {
            for (var port = targetFrom; port <= targetTo; port++)
            {
                ports.Add(new PortSpec { Target = port, Protocol = protocol, HostIp = hostIp });
            }

            return true;
        }

        if (!TryRange(published, out var publishedFrom, out var publishedTo))
        {
            return Fail(text, $"has published port '{published}', which is not a port (0-65535) or a range a-b", out error);
        }

        if (targetFrom == targetTo)
        {
            // A published range for one target: every port of the range is published to it, as the CLI does.
            for (var port = publishedFrom; port <= publishedTo; port++)
            {
                ports.Add(new PortSpec { Target = targetFrom, Published = port, Protocol = protocol, HostIp = hostIp });
            }

            return true;
        }

        if (publishedTo - publishedFrom != targetTo - targetFrom)
        {
            return Fail(text, "maps ranges of different lengths", out error);
        }

        for (var offset = 0; offset <= targetTo - targetFrom; offset++)
        {
            ports.Add(new PortSpec { Target = targetFrom + offset, Published = publishedFrom + offset, Protocol = protocol, HostIp = hostIp });
        }

        return true;
    }

    private static bool Fail(string text, string problem, out string? error)
    {
        error = $"the port '{text}' {problem}; write [[host_ip:]published:]target[/protocol], e.g. 8080:80";
        return false;
    }

    /// <summary>
    /// An address as Go's net.ParseIP reads it: IPv4 as exactly four decimal parts without leading zeros (.NET would
    /// also take "1.2.3" or "01.2.3.4"), IPv6 without a zone, optionally in brackets.
    /// </summary>
    private static bool IsAddress(string text)
    {
        if (text.StartsWith('[') && text.EndsWith(']'))
        {
            text = text[1..^1];
        }

        if (!text.Contains(':', StringComparison.Ordinal))
        {
            return IsIPv4(text);
        }

        // An IPv6 address may end in an IPv4 address ("::ffff:1.2.3.4"), which follows the same rule.
        var tail = text[(text.LastIndexOf(':') + 1)..];
        return !text.Contains('%', StringComparison.Ordinal) &&
               IPAddress.TryParse(text, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 &&
               (!tail.Contains('.', StringComparison.Ordinal) || IsIPv4(tail));
    }

    private static bool IsIPv4(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(part =>
            part.Length is >= 1 and <= 3 && part.All(char.IsAsciiDigit) && (part.Length == 1 || part[0] != '0') &&
            int.Parse(part, CultureInfo.InvariantCulture) <= 255);
    }

    private static bool TryRange(string text, out int from, out int to)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            var ok = TryPort(text, out from);
            to = from;
            return ok;
        }

        // Like nat.ParsePortRange: split on '-' and read the first two parts; any further part is ignored ("1-2-3" is 1-2).
        var parts = text.Split('-');
        to = 0;
        return TryPort(parts[0], out from) && TryPort(parts[1], out to) && from <= to;
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 0 and <= 65535;
}
