using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Ward.Deploying.Live;

/// <summary>Looks up A records, for DNS-001: through a given resolver (tests use a local dnsmasq), else the system's.</summary>
public interface IDomainResolver
{
    /// <summary>Which resolver answers, for people ("127.0.0.1:5353", "the system's resolvers").</summary>
    string Description { get; }

    /// <summary>The domain's A records (empty when it has none or does not exist), or null when no answer came.</summary>
    Task<IReadOnlyList<string>?> ResolveAAsync(string domain, CancellationToken cancellationToken);
}

/// <summary>A records through a DNS resolver, without a cache (each check asks afresh: records are what is being checked).</summary>
public sealed class DnsResolver : IDomainResolver
{
    /// <summary>The variable that names the resolver when no option does.</summary>
    public const string Variable = "WARD_DNS_RESOLVER";

    private readonly LookupClient _client;

    private DnsResolver(LookupClient client, string description)
    {
        _client = client;
        Description = description;
    }

    public string Description { get; }

    /// <summary>A resolver at <c>ADDRESS[:PORT]</c> (port 53 by default); null or empty: WARD_DNS_RESOLVER, else the system's (/etc/resolv.conf).</summary>
    /// <exception cref="DeployRequestException">The value is not an IP address with an optional port.</exception>
    public static DnsResolver Create(string? server)
    {
        server = string.IsNullOrWhiteSpace(server) ? Environment.GetEnvironmentVariable(Variable) : server;
        if (string.IsNullOrWhiteSpace(server))
        {
            return new DnsResolver(new LookupClient(Options(new LookupClientOptions())), "the system's resolvers");
        }

        if (!IPEndPoint.TryParse(server, out var endpoint))
        {
            throw new DeployRequestException(DeployRequestCodes.InvalidResolver, $"the DNS resolver '{server}' is not an IP address with an optional port, such as 127.0.0.1:5353 or 192.0.2.53");
        }

        if (endpoint.Port == 0)
        {
            endpoint.Port = NameServer.DefaultPort;
        }

        return new DnsResolver(new LookupClient(Options(new LookupClientOptions(endpoint))), endpoint.ToString());
    }

    public async Task<IReadOnlyList<string>?> ResolveAAsync(string domain, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.QueryAsync(domain, QueryType.A, QueryClass.IN, cancellationToken);
            if (response.HasError)
            {
                // A name that does not exist has no records; any other error (refused, server failure) is no answer.
                return response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain ? [] : null;
            }

            return [.. response.Answers.OfType<ARecord>().Select(a => a.Address.ToString()).Order(StringComparer.Ordinal)];
        }
        catch (DnsResponseException)
        {
            return null;
        }
    }

    private static LookupClientOptions Options(LookupClientOptions options)
    {
        options.UseCache = false;
        options.Timeout = TimeSpan.FromSeconds(2);
        options.Retries = 1;
        options.ThrowDnsErrors = false;
        return options;
    }
}
