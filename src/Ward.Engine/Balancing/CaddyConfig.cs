using System.Text.Json.Nodes;

namespace Ward.Engine.Balancing;

/// <summary>
/// The load balancer's whole configuration, as Caddy's JSON (docs/reference/load-balancer.md): one HTTPS server for
/// the domains that have (or are getting) a certificate, one HTTP server for the probe path, the domains still waiting
/// for DNS, and the redirects to HTTPS that Caddy adds; upstreams found by DNS (tasks.SERVICE through Docker's
/// resolver, four times a second), retried elsewhere when a task does not answer, so a task that stops or moves costs no
/// request and needs no reload.
/// </summary>
public static class CaddyConfig
{
    /// <summary>Where the load balancer keeps its routes, certificates and log (the data volume).</summary>
    public const string DataPath = "/data";

    /// <summary>The private ACME root, written next to the routes by <c>ward-lb apply</c>.</summary>
    public const string AcmeCaRootFile = "/data/ward/acme-ca-root.pem";

    /// <summary>Docker's embedded DNS server, in every container on a user-defined network.</summary>
    private const string DockerDns = "udp/127.0.0.11:53";

    public static JsonObject Build(IReadOnlyList<Route> routes, BalancerSettings settings)
    {
        var https = routes.Where(r => r.Tls != RouteTls.WaitingForDns).ToList();
        var waiting = routes.Where(r => r.Tls == RouteTls.WaitingForDns).ToList();
        var servers = new JsonObject
        {
            ["http"] = new JsonObject
            {
                ["listen"] = Array(":80"),
                ["routes"] = new JsonArray([Probe(settings), .. waiting.Select(r => Proxy(r, https: false)), .. waiting.SelectMany(Redirects)]),
            },
        };
        if (https.Count > 0)
        {
            servers["https"] = new JsonObject
            {
                ["listen"] = Array(":443"),
                ["routes"] = new JsonArray([.. https.Select(r => Proxy(r, https: true)), .. https.SelectMany(Redirects)]),
                ["tls_connection_policies"] = new JsonArray(new JsonObject { ["protocol_min"] = "tls1.2", ["protocol_max"] = "tls1.3" }),
                // Not HTTP/3, Caddy's default: it would advertise h3 (Alt-Svc) on UDP 443, which the service does not publish.
                ["protocols"] = Array("h1", "h2"),
            };
        }

        var config = new JsonObject
        {
            ["admin"] = new JsonObject { ["listen"] = "localhost:2019" },
            ["logging"] = Logging(),
            ["storage"] = new JsonObject { ["module"] = "file_system", ["root"] = $"{DataPath}/caddy" },
            ["apps"] = new JsonObject
            {
                ["http"] = new JsonObject { ["http_port"] = 80, ["https_port"] = 443, ["servers"] = servers },
                ["tls"] = new JsonObject { ["automation"] = new JsonObject { ["policies"] = Policies(https, settings) } },
                // Its own authority signs the internal certificates; it is never put into the container's trust store.
                ["pki"] = new JsonObject { ["certificate_authorities"] = new JsonObject { ["local"] = new JsonObject { ["install_trust"] = false } } },
            },
        };
        return config;
    }

    /// <summary>Answers the probe token on port 80, for every name: Ward's check that a domain reaches this load balancer.</summary>
    private static JsonObject Probe(BalancerSettings settings) => new()
    {
        ["match"] = new JsonArray(new JsonObject { ["path"] = Array(BalancerSettings.ProbePath) }),
        ["handle"] = new JsonArray(new JsonObject { ["handler"] = "static_response", ["status_code"] = 200, ["body"] = settings.ProbeToken }),
        ["terminal"] = true,
    };

    private static JsonObject Proxy(Route route, bool https)
    {
        var match = new JsonObject { ["host"] = Array(route.Domain) };
        if (route.PathPrefix is { } prefix)
        {
            match["path"] = Array(prefix, prefix + "/*");
        }

        var handlers = new JsonArray();
        if (https && route.Hsts)
        {
            handlers.Add(new JsonObject
            {
                ["handler"] = "headers",
                ["response"] = new JsonObject { ["set"] = new JsonObject { ["Strict-Transport-Security"] = Array("max-age=31536000") } },
            });
        }

        handlers.Add(new JsonObject
        {
            ["handler"] = "reverse_proxy",
            ["dynamic_upstreams"] = new JsonObject
            {
                ["source"] = "a",
                ["name"] = route.TasksName,
                ["port"] = route.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // Docker's DNS drops a task within a few hundred milliseconds of its end (a kill, a crash, the start of
                // its shutdown); a request sent to its address after that waits for the dial timeout below.
                ["refresh"] = "250ms",
                ["resolver"] = new JsonObject { ["addresses"] = Array(DockerDns) },
            },
            // A task that refuses the connection (stopping, gone) is tried no more for a while, and the request goes to
            // another; Go's transport also retries an idempotent request whose kept-alive connection the task closed.
            ["load_balancing"] = new JsonObject
            {
                ["selection_policy"] = new JsonObject { ["policy"] = "round_robin" },
                ["retries"] = 3,
                ["try_duration"] = "5s",
                ["try_interval"] = "100ms",
            },
            ["health_checks"] = new JsonObject
            {
                ["passive"] = new JsonObject { ["fail_duration"] = "5s", ["max_fails"] = 1, ["unhealthy_latency"] = "0s" },
            },
            // A killed task's packets are dropped, not refused, until every node has forgotten its address: a dial there
            // hangs until this timeout (Caddy's default is 3 s), then the request is retried on another task. Half a
            // second is ample for a live task on the overlay, which answers within milliseconds.
            ["transport"] = new JsonObject { ["protocol"] = "http", ["dial_timeout"] = "500ms" },
        });
        return new JsonObject { ["match"] = new JsonArray(match), ["handle"] = handlers, ["terminal"] = true };
    }

    private static IEnumerable<JsonObject> Redirects(Route route) => route.Redirects.Select(from => new JsonObject
    {
        ["match"] = new JsonArray(new JsonObject { ["host"] = Array(from) }),
        ["handle"] = new JsonArray(new JsonObject
        {
            ["handler"] = "static_response",
            ["status_code"] = 308,
            ["headers"] = new JsonObject { ["Location"] = Array($"{(route.Tls == RouteTls.WaitingForDns ? "http" : "https")}://{route.Domain}{{http.request.uri}}") },
        }),
        ["terminal"] = true,
    });

    private static JsonArray Policies(IReadOnlyList<Route> https, BalancerSettings settings)
    {
        var policies = new JsonArray();
        var acme = https.Where(r => r.Tls == RouteTls.Acme).SelectMany(Names).ToList();
        if (acme.Count > 0)
        {
            var issuer = new JsonObject
            {
                ["module"] = "acme",
                ["ca"] = settings.AcmeDirectory,
                // HTTP-01 only: the challenge Ward checks a domain can pass before any order.
                ["challenges"] = new JsonObject { ["tls-alpn"] = new JsonObject { ["disabled"] = true } },
            };
            if (settings.AcmeEmail is { } email)
            {
                issuer["email"] = email;
            }

            if (settings.AcmeCaRootPem is not null)
            {
                issuer["trusted_roots_pem_files"] = Array(AcmeCaRootFile);
            }

            // Renewal starts when a third of the lifetime is left: 30 days before a 90-day certificate expires.
            policies.Add(new JsonObject { ["subjects"] = Array([.. acme]), ["issuers"] = new JsonArray(issuer), ["renewal_window_ratio"] = 1.0 / 3 });
        }

        var internalNames = https.Where(r => r.Tls == RouteTls.Internal).SelectMany(Names).ToList();
        if (internalNames.Count > 0)
        {
            policies.Add(new JsonObject { ["subjects"] = Array([.. internalNames]), ["issuers"] = new JsonArray(new JsonObject { ["module"] = "internal" }) });
        }

        return policies;
    }

    private static IEnumerable<string> Names(Route route) => [route.Domain, .. route.Redirects];

    /// <summary>Errors and warnings only (no access log: it would cost throughput), to a file `ward-lb errors` reads.</summary>
    private static JsonObject Logging() => new()
    {
        ["logs"] = new JsonObject
        {
            ["default"] = new JsonObject
            {
                ["level"] = "WARN",
                ["writer"] = new JsonObject { ["output"] = "file", ["filename"] = $"{DataPath}/ward/caddy.log", ["roll_size_mb"] = 5, ["roll_keep"] = 2 },
                ["encoder"] = new JsonObject { ["format"] = "json" },
            },
        },
    };

    private static JsonArray Array(params string[] values) => new([.. values.Select(v => (JsonNode)v)]);
}
