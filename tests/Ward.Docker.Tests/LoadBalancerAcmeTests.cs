using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Ward.Deploying.Live;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>
/// Ward's load balancer against a real ACME server: Debian's pebble on the test cluster's bridge validates HTTP-01 on
/// the manager's port 80, dnsmasq answers the test domains with the manager's address (for pebble and for Ward's own
/// check before each order), and the environments are applied with <c>ward apply</c> as a user applies them. The
/// certificates are verified against pebble's root alone, from pebble's management interface.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LoadBalancerAcmeTests(TestCluster cluster)
{
    private static readonly string ManagerAddress = TestCluster.NewLayout().AddressAt(10);
    private static readonly string BridgeAddress = TestCluster.NewLayout().HostAddress;
    private static readonly IPAddress Manager = IPAddress.Parse(ManagerAddress);

    private static string Yaml(string name, Uri directory, string domains) => $$"""
        version: "3.9"
        x-ward:
          environment: { name: {{name}}, kind: production }
          domains:
        {{domains}}
          load_balancer:
            acme: { directory: "{{directory}}", email: ops@example.org, ca_root: pebble-listener.pem }
        services:
        {{HostnameWeb.Service()}}
        networks:
          front: { driver: overlay }
        """;

    [Fact]
    public async Task Two_domains_get_certificates_from_pebble_are_served_over_TLS_1_2_and_1_3_only_with_HSTS_and_keep_them_when_the_load_balancer_restarts()
    {
        await cluster.RequireImageAsync("lb");
        var token = TestContext.Current.CancellationToken;
        string[] names = ["one.acme.test", "two.acme.test", "www.two.acme.test"];
        using var dns = await TestDns.StartAsync(names.ToDictionary(n => n, _ => ManagerAddress));
        using var pebble = await Pebble.StartAsync(BridgeAddress, dns.Resolver, []);
        var environment = EnvironmentFile.Write("lb-acme", Yaml("lb-acme", pebble.Directory, """
                - { name: one.acme.test, service: web, port: 8080, tls: acme }
                - { name: two.acme.test, service: web, port: 8080, tls: acme, redirects: [ www.two.acme.test ] }
            """), new Dictionary<string, string> { ["pebble-listener.pem"] = pebble.ListenerCertificatePem });
        var resolver = new Dictionary<string, string?> { [DnsResolver.Variable] = dns.Resolver };
        try
        {
            // A production file (the readiness gate's findings about nodes and switchover are not this test's subject).
            var apply = await WardCli.RunAsync(["apply", environment.Path, "--yes", "--force", "--host", TestCluster.ManagerHost], resolver);
            Assert.True(apply.ExitCode == 0, $"ward apply: {apply}\npebble:\n{pebble.Log}");
            Assert.Contains("one.acme.test: HTTPS: its A record points at the manager and the challenge path answers there; certificate ordered", apply.Output, StringComparison.Ordinal);
            Assert.Contains("two.acme.test: HTTPS: its A record points at the manager and the challenge path answers there; certificate ordered", apply.Output, StringComparison.Ordinal);

            // ward status shows each certificate once the load balancer holds it: pebble's intermediate signed it.
            var issued = await Poll.RequireAsync("three certificates from pebble in ward status", async () =>
            {
                var status = await StatusJsonAsync("lb-acme");
                return names.All(n => IssuerIn(status, n)?.StartsWith("Pebble Intermediate CA", StringComparison.Ordinal) == true);
            },
                TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(1));
            Figures.Write($"ACME: pebble issued {pebble.Issued} certificates (HTTP-01 through the manager) within {issued.TotalSeconds:0.0} s after ward apply returned");
            Assert.Equal(names.Length, pebble.Issued);

            // Both domains over HTTPS through the manager, each chain verified against pebble's root alone; HSTS on a production domain.
            using var root = await pebble.RootAsync(token);
            using var https = Https.Client(Manager, root);
            var hosts = await WebTaskHostsAsync(token);
            foreach (var name in new[] { "one.acme.test", "two.acme.test" })
            {
                using var response = await https.GetAsync(new Uri($"https://{name}/"), token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Contains((await response.Content.ReadAsStringAsync(token)).Trim(), hosts);
                Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));

                // No HTTP/3 offered: port 443 is published for TCP only.
                Assert.False(response.Headers.Contains("Alt-Svc"), $"{name} advertises {string.Join(", ", response.Headers.TryGetValues("Alt-Svc", out var alt) ? alt : [])}");
            }

            // The redirect name has its own certificate and sends its visitors to the domain.
            using (var www = await https.GetAsync(new Uri("https://www.two.acme.test/page?x=1"), token))
            {
                Assert.Equal(HttpStatusCode.PermanentRedirect, www.StatusCode);
                Assert.Equal(new Uri("https://two.acme.test/page?x=1"), www.Headers.Location);
            }

            // Port 80 sends every path to HTTPS (the challenge and probe paths aside).
            using (var plain = Https.Client(Manager, null))
            using (var redirect = await plain.GetAsync(new Uri("http://one.acme.test/some/page?q=2"), token))
            {
                Assert.Equal(HttpStatusCode.PermanentRedirect, redirect.StatusCode);
                Assert.Equal(new Uri("https://one.acme.test/some/page?q=2"), redirect.Headers.Location);
            }

            await AssertTlsVersionsAsync("one.acme.test");

            // The certificates live on the load balancer's volume: a new task (forced update) serves the same ones, ordering none.
            var serials = new Dictionary<string, string>();
            foreach (var name in names)
            {
                var (certificate, _) = await Https.HandshakeAsync(Manager, name, root, token);
                serials[name] = certificate.SerialNumber;
                certificate.Dispose();
            }

            var before = await BalancerTaskAsync("lb-acme", token);
            var update = await DockerCli.RunAsync("service", "update", "--force", "--detach=false", "--quiet", "lb-acme_ward-lb");
            Assert.True(update.ExitCode == 0, $"docker service update --force: {update}");
            Assert.NotEqual(before, await BalancerTaskAsync("lb-acme", token));
            var back = await Poll.RequireAsync("HTTPS through the new load balancer task", async () =>
            {
                try
                {
                    using var answer = await https.GetAsync(new Uri("https://one.acme.test/"), token);
                    return answer.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
            foreach (var name in names)
            {
                var (certificate, _) = await Https.HandshakeAsync(Manager, name, root, token);
                Assert.Equal(serials[name], certificate.SerialNumber);
                certificate.Dispose();
            }

            Assert.Equal(names.Length, pebble.Issued);
            Figures.Write($"ACME: the load balancer's new task served the same {names.Length} certificates {back.TotalSeconds:0.0} s after docker service update --force returned; pebble issued none more");
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "lb-acme", token);
        }
    }

    [Fact]
    public async Task An_ACME_directory_that_refuses_or_is_unreachable_leaves_the_other_domains_working_and_ward_status_names_the_domain_and_the_error()
    {
        await cluster.RequireImageAsync("lb");
        var token = TestContext.Current.CancellationToken;
        string[] names = ["ok.bad.test", "refused.bad.test", "late.bad.test", "inside.bad.test"];
        using var dns = await TestDns.StartAsync(names.ToDictionary(n => n, _ => ManagerAddress));
        using var pebble = await Pebble.StartAsync(BridgeAddress, dns.Resolver, ["refused.bad.test"]);
        const string Domains = """
                - { name: ok.bad.test, service: web, port: 8080, tls: acme }
                - { name: refused.bad.test, service: web, port: 8080, tls: acme }
                - { name: inside.bad.test, service: web, port: 8080, tls: internal }
            """;
        var files = new Dictionary<string, string> { ["pebble-listener.pem"] = pebble.ListenerCertificatePem };
        var environment = EnvironmentFile.Write("lb-bad", Yaml("lb-bad", pebble.Directory, Domains), files);
        var resolver = new Dictionary<string, string?> { [DnsResolver.Variable] = dns.Resolver };
        try
        {
            var apply = await WardCli.RunAsync(["apply", environment.Path, "--yes", "--force", "--host", TestCluster.ManagerHost], resolver);
            Assert.True(apply.ExitCode == 0, $"ward apply: {apply}");

            // pebble refuses refused.bad.test (its block list): ward status names the domain and pebble's words.
            await Poll.RequireAsync("ok.bad.test's certificate and refused.bad.test's error in ward status", async () =>
            {
                var status = await StatusJsonAsync("lb-bad");
                return IssuerIn(status, "ok.bad.test") is not null && Domain(status, "refused.bad.test")?["lastError"] is not null;
            }, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(1));
            var refused = Domain(await StatusJsonAsync("lb-bad"), "refused.bad.test")!;
            Assert.Null(refused["issuer"]);
            Assert.Contains("rejectedIdentifier", refused["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
            var text = await WardCli.RunAsync(["status", "lb-bad", "--host", TestCluster.ManagerHost], null);
            Assert.Contains("! refused.bad.test: no certificate yet: ", text.Stdout, StringComparison.Ordinal);
            WardCli.AssertNoStackTrace(text);
            Figures.Write($"ACME refused: ward status says \"{refused["lastError"]}\"");

            using var root = await pebble.RootAsync(token);
            var ok = await AssertServedAsync("ok.bad.test", root, token);
            using var internalRoot = X509Certificate2.CreateFromPem((await WardCli.RunAsync(["lb", "root", "lb-bad", "--host", TestCluster.ManagerHost], null)).Stdout);
            await AssertServedAsync("inside.bad.test", internalRoot, token);

            // Then the ACME server goes away (nothing listens at its directory any more) and a new domain asks for a
            // certificate. (A file that names another directory is a different case: Caddy keeps certificates by issuer,
            // so the domains would wait for the new directory's; docs/reference/load-balancer.md says so.)
            pebble.Stop();
            environment.Update(Yaml("lb-bad", pebble.Directory, Domains + "\n    - { name: late.bad.test, service: web, port: 8080, tls: acme }"), files);
            apply = await WardCli.RunAsync(["apply", environment.Path, "--yes", "--force", "--host", TestCluster.ManagerHost], resolver);
            Assert.True(apply.ExitCode == 0, $"ward apply with an unreachable directory: {apply}");
            await Poll.RequireAsync("late.bad.test's error in ward status", async () => Domain(await StatusJsonAsync("lb-bad"), "late.bad.test")?["lastError"] is not null,
                TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(1));
            var late = Domain(await StatusJsonAsync("lb-bad"), "late.bad.test")!;
            Assert.Contains("connection refused", late["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
            Figures.Write($"ACME unreachable: ward status says \"{late["lastError"]}\"");

            // The domains that worked still do, ok.bad.test with the certificate it had.
            Assert.Equal(ok, await AssertServedAsync("ok.bad.test", root, token));
            await AssertServedAsync("inside.bad.test", internalRoot, token);
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "lb-bad", token);
        }
    }

    /// <summary>TLS 1.0 and 1.1 are refused, 1.2 and 1.3 accepted; the client is shown able to speak 1.0 and 1.1 to openssl's own server.</summary>
    private static async Task AssertTlsVersionsAsync(string host)
    {
        foreach (var old in new[] { "-tls1", "-tls1_1" })
        {
            var port = Https.FreePort();
            using var control = await Https.StartOpenSslServerAsync(port, old);
            try
            {
                var (completed, output) = await Https.OpenSslHandshakeAsync("127.0.0.1", port, host, old);
                Assert.True(completed, $"the control: openssl s_client {old} against openssl s_server {old} on loopback failed: {output}");
            }
            finally
            {
                control.Kill();
            }

            var refused = await Https.OpenSslHandshakeAsync(ManagerAddress, 443, host, old);
            Assert.False(refused.Completed, $"the load balancer accepted openssl s_client {old}: {refused.Output}");
            Assert.Contains("protocol version", refused.Output, StringComparison.Ordinal);
        }

        foreach (var current in new[] { "-tls1_2", "-tls1_3" })
        {
            var accepted = await Https.OpenSslHandshakeAsync(ManagerAddress, 443, host, current);
            Assert.True(accepted.Completed, $"the load balancer refused openssl s_client {current}: {accepted.Output}");
        }
    }

    /// <summary>GET https://HOST/ through the manager answers 200 from a web task; returns the certificate's serial.</summary>
    private static async Task<string> AssertServedAsync(string host, X509Certificate2 root, CancellationToken token)
    {
        using var https = Https.Client(Manager, root);
        using var response = await https.GetAsync(new Uri($"https://{host}/"), token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (certificate, protocol) = await Https.HandshakeAsync(Manager, host, root, token);
        Assert.True(protocol is SslProtocols.Tls12 or SslProtocols.Tls13, $"{host} negotiated {protocol}");
        using (certificate)
        {
            return certificate.SerialNumber;
        }
    }

    private async Task<HashSet<string>> WebTaskHostsAsync(CancellationToken token) =>
        // busybox's hostname is the container's short id, which is what the web tasks answer.
        [.. (await TasksAsync("lb-acme", "lb-acme_web", token)).Select(t => t["Status"]?["ContainerStatus"]?["ContainerID"]?.GetValue<string>()).OfType<string>().Select(id => id[..12])];

    private async Task<string> BalancerTaskAsync(string environment, CancellationToken token)
    {
        var service = $"{environment}_ward-lb";
        await Poll.RequireAsync($"{service} running a task", async () => (await TasksAsync(environment, service, token)).Any(IsRunning), TimeSpan.FromSeconds(60));
        return (await TasksAsync(environment, service, token)).Where(IsRunning).Select(t => t["ID"]!.GetValue<string>()).Single();
    }

    private async Task<List<JsonObject>> TasksAsync(string environment, string service, CancellationToken token)
    {
        var id = (await cluster.Manager.ListStackAsync("services", environment, token)).Single(s => s["Spec"]?["Name"]?.GetValue<string>() == service)["ID"]!.GetValue<string>();
        return [.. (await cluster.Manager.ListStackAsync("tasks", environment, token)).Where(t => t["ServiceID"]?.GetValue<string>() == id)];
    }

    private static bool IsRunning(JsonObject task) =>
        task["DesiredState"]?.GetValue<string>() == "running" && task["Status"]?["State"]?.GetValue<string>() == "running";

    private static async Task<JsonNode> StatusJsonAsync(string environment)
    {
        var status = await WardCli.RunAsync(["status", environment, "--format", "json", "--host", TestCluster.ManagerHost], null);
        return JsonNode.Parse(status.Stdout) ?? throw new InvalidOperationException($"ward status printed no JSON: {status}");
    }

    private static JsonNode? Domain(JsonNode status, string name) =>
        (status["domains"] as JsonArray ?? []).FirstOrDefault(d => d?["domain"]?.GetValue<string>() == name);

    private static string? IssuerIn(JsonNode status, string name) => Domain(status, name)?["issuer"]?.GetValue<string>();
}
