using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// What a request may hold, checked before anything is read further, stored or audited: lengths and characters of names
/// and free text, well-formed JSON with the fields a request needs, numbers in range, a path without dot segments. Every
/// refusal (and every failure, 500 included) is a ProblemDetails with a stable code and the security headers, and a body
/// is read only once its sender is known to be allowed.
/// </summary>
public sealed class RequestLimitTests(RequestLimitTests.Fixture world) : IClassFixture<RequestLimitTests.Fixture>
{
    private static readonly string[] SecurityHeaders = ["Content-Security-Policy:", "X-Content-Type-Options: nosniff", "X-Frame-Options: DENY", "Referrer-Policy: no-referrer"];

    private ApiClient Owner => world.Owner;

    [Fact]
    public async Task Display_names_token_names_and_file_names_have_limits_and_refuse_control_bidi_and_markup_characters()
    {
        // Finding 5: 5 MB accepted (GET /users then returned 6.3 MB); NUL, right-to-left and HTML stored as sent.
        var huge = new string('x', 5 * 1024 * 1024);
        string[] bad = ["nul\u0000name", "bell\u0007", "right\u202Eto-left", "isolate\u2067x", "<img src=x onerror=alert(1)>", "line\nbreak", " ", "", huge];
        foreach (var name in bad)
        {
            var created = await Owner.PostAsync("/api/v1/users", new { userName = "limited", password = WardHost.Password, displayName = name });
            ExpectProblem(created, 400, "invalid_display_name");
            ExpectProblem(await Owner.PostAsync("/api/v1/tokens", new { name, role = "viewer" }), 400, "invalid_token_name");
            ExpectProblem(await Owner.PostAsync("/api/v1/environments", new { fileName = name, content = Environments.File("limits") }), 400, "invalid_file_name");
        }

        // Each kind of name has its length: display names 128, token names 64, file names 255.
        ExpectProblem(await Owner.PostAsync("/api/v1/users", new { userName = "limited", password = WardHost.Password, displayName = new string('x', 129) }), 400, "invalid_display_name");
        ExpectProblem(await Owner.PostAsync("/api/v1/tokens", new { name = new string('x', 65), role = "viewer" }), 400, "invalid_token_name");
        ExpectProblem(await Owner.PostAsync("/api/v1/environments", new { fileName = new string('x', 251) + ".yaml", content = Environments.File("limits") }), 400, "invalid_file_name");

        // Letters of any script, spaces, apostrophes and hyphens are names.
        var id = (await Owner.PostAsync("/api/v1/users", new { userName = "zoe", password = WardHost.Password, displayName = "Zoë Ångström-O'Brien 山田" }).Expect(201)).Json!["id"]!.GetValue<Guid>();
        ExpectProblem(await Owner.PutAsync($"/api/v1/users/{id}", new { displayName = "right\u202Eto-left", version = 1 }), 400, "invalid_display_name");
        await Owner.PostAsync("/api/v1/tokens", new { name = "ci – deploys (nightly)", role = "viewer" }).Expect(201);

        // Names of environments and roles in grants and tokens are names, not free text.
        ExpectProblem(await Owner.PostAsync($"/api/v1/users/{id}/grants", new { role = "viewer", environment = "alpha\u0000", version = 1 }), 400, "invalid_environment_name");
        ExpectProblem(await Owner.PostAsync("/api/v1/tokens", new { name = "t", role = "viewer", environment = new string('a', 64) }), 400, "invalid_environment_name");

        // Nothing of the refused requests was stored: the user list stays small.
        var users = await Owner.GetAsync("/api/v1/users").Expect(200);
        Assert.True(users.Body.Length < 10_000, $"GET /users returned {users.Body.Length} characters");
        await using var db = world.Host.Store.CreateContext();
        Assert.False(await db.Audit.AnyAsync(e => e.After!.Contains("\u202E") || e.After!.Contains("onerror") || e.After.Length > 2000, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Node_labels_are_checked_as_names()
    {
        ExpectProblem(await Owner.PutAsync("/api/v1/nodes/worker-1/labels", new { labels = new Dictionary<string, string> { ["zone\u0000"] = "a" } }), 400, "invalid_label");
        ExpectProblem(await Owner.PutAsync("/api/v1/nodes/worker-1/labels", new { labels = new Dictionary<string, string> { ["zone"] = new string('a', 5000) } }), 400, "invalid_label");
        await Owner.PutAsync("/api/v1/nodes/worker-1/labels", new { labels = new Dictionary<string, string> { ["zone"] = "eu-west-1a" } }).Expect(200);
    }

    [Fact]
    public async Task A_null_or_missing_field_is_a_400_before_the_endpoint_runs()
    {
        // Finding 7: PUT /nodes/{id}/labels {"labels":null} was a NullReferenceException (500).
        ExpectProblem(await Owner.SendAsync(HttpMethod.Put, "/api/v1/nodes/worker-1/labels", rawJson: """{"labels":null}"""), 400, "missing_field");
        ExpectProblem(await Owner.SendAsync(HttpMethod.Put, "/api/v1/nodes/worker-1/labels", rawJson: "{}"), 400, "missing_field");
        ExpectProblem(await Owner.SendAsync(HttpMethod.Post, "/api/v1/users", rawJson: """{"userName":null,"password":null}"""), 400, "missing_field");
        ExpectProblem(await Owner.SendAsync(HttpMethod.Put, "/api/v1/nodes/worker-1/availability", rawJson: "{}"), 400, "missing_field");
        ExpectProblem(await Owner.SendAsync(HttpMethod.Put, "/api/v1/environments/alpha/secrets/token", rawJson: """{"value":null}"""), 400, "missing_field");
    }

    [Fact]
    public async Task Malformed_bodies_are_problem_details_with_a_code()
    {
        // Finding 6: these answered 400/413/415 with an empty body.
        ExpectProblem(await Owner.SendAsync(HttpMethod.Post, "/api/v1/users", rawJson: "{"), 400, "invalid_json");
        ExpectProblem(await Owner.SendAsync(HttpMethod.Post, "/api/v1/users", rawJson: new string('[', 10_000) + new string(']', 10_000)), 400, "invalid_json");
        ExpectProblem(await Owner.SendAsync(HttpMethod.Post, "/api/v1/users", rawBody: [.. "{\"userName\":\""u8, 0xFF, 0xFE, .. "\"}"u8]), 400, "invalid_json");
        ExpectProblem(await Owner.SendAsync(HttpMethod.Post, "/api/v1/users", rawJson: "null"), 400, "missing_body");
        ExpectProblem(await Owner.SendAsync(HttpMethod.Post, "/api/v1/users", rawJson: """{"userName":"x","password":"y"}""", contentType: "text/plain"), 415, "unsupported_media_type");
        ExpectProblem(await Owner.SendAsync(HttpMethod.Post, "/api/v1/users", rawJson: """{"userName":"x","password":12}"""), 400, "invalid_json");

        // A body larger than the server takes (16 MiB): refused as soon as its length is announced.
        var port = new Uri(world.Host.Url).Port;
        var announced = await RawHttp.SendAsync(world.Host.Url, $"""
            POST /api/v1/environments HTTP/1.1
            Host: 127.0.0.1:{port}
            Authorization: Bearer {world.OwnerToken}
            Content-Type: application/json
            Content-Length: {17 * 1024 * 1024}

            """, body: "{\"fileName\":"u8.ToArray(), timeout: TimeSpan.FromSeconds(5));
        ExpectProblem(announced, 413, "body_too_large");

        // Sent in chunks, without a length: refused when the limit is passed (a chunk of 17 MiB, of which a little more
        // than 16 MiB is sent before the answer is read).
        var chunk = new byte[16 * 1024 * 1024 + 100];
        Array.Fill(chunk, (byte)'#');
        var chunked = await RawHttp.SendAsync(world.Host.Url, $"""
            POST /api/v1/environments HTTP/1.1
            Host: 127.0.0.1:{port}
            Authorization: Bearer {world.OwnerToken}
            Content-Type: application/json
            Transfer-Encoding: chunked

            {17 * 1024 * 1024:x}
            """, body: chunk, timeout: TimeSpan.FromSeconds(20));
        ExpectProblem(chunked, 413, "body_too_large");
    }

    [Fact]
    public async Task Numbers_out_of_range_are_refused_not_clamped()
    {
        ExpectProblem(await Owner.GetAsync("/api/v1/audit?limit=2147483648"), 400, "invalid_query");
        ExpectProblem(await Owner.GetAsync("/api/v1/audit?limit=-1"), 400, "invalid_limit");
        ExpectProblem(await Owner.GetAsync("/api/v1/audit?limit=0"), 400, "invalid_limit");
        ExpectProblem(await Owner.GetAsync("/api/v1/audit?limit=5001"), 400, "invalid_limit");
        ExpectProblem(await Owner.GetAsync("/api/v1/audit?from=yesterday"), 400, "invalid_query");
        ExpectProblem(await Owner.GetAsync("/api/v1/audit?actor=" + new string('a', 300)), 400, "invalid_query");
        Assert.Single((await Owner.GetAsync("/api/v1/audit?limit=1").Expect(200)).Json!.AsArray());

        var id = await WardHost.CreateUserAsync(Owner, "numbers");
        ExpectProblem(await Owner.DeleteAsync($"/api/v1/users/{id}/grants/{Guid.NewGuid()}?version=abc"), 400, "invalid_query");
        foreach (var days in new[] { -5, 0 })
        {
            ExpectProblem(await Owner.PostAsync("/api/v1/tokens", new { name = "short", role = "viewer", expiresInDays = days }), 400, "token_lifetime");
        }
    }

    [Fact]
    public async Task A_very_long_address_is_a_414_problem()
    {
        ExpectProblem(await Owner.GetAsync("/api/v1/audit?actor=" + new string('a', 10_000)), 414, "uri_too_long");
    }

    [Fact]
    public async Task Bodies_are_read_only_after_authentication()
    {
        // Finding 6: an anonymous 20 MB body was parsed before the 401. A malformed body that is never parsed cannot be
        // a 400, and a body announced but never sent does not keep the answer waiting.
        using var anonymous = world.Host.Anonymous();
        ExpectProblem(await anonymous.SendAsync(HttpMethod.Post, "/api/v1/users", rawJson: "{ not json"), 401, "unauthenticated");
        var viewer = world.Viewer;
        ExpectProblem(await viewer.SendAsync(HttpMethod.Post, "/api/v1/users", rawJson: "{ not json"), 403, "forbidden");

        var port = new Uri(world.Host.Url).Port;
        var waiting = await RawHttp.SendAsync(world.Host.Url, $"""
            POST /api/v1/environments HTTP/1.1
            Host: 127.0.0.1:{port}
            Content-Type: application/json
            Content-Length: 20000000

            """, body: "{\"fileName\":"u8.ToArray(), timeout: TimeSpan.FromSeconds(5));
        ExpectProblem(waiting, 401, "unauthenticated");

        // What anyone may send (sign-in, setup) is small.
        var large = await anonymous.PostAsync("/api/v1/session", new { userName = "someone", password = new string('p', 64 * 1024) });
        ExpectProblem(large, 413, "body_too_large");
    }

    [Fact]
    public async Task Dot_segments_in_a_path_are_refused_not_resolved()
    {
        // Finding 10: %2e%2e in a secret's name resolved to another endpoint (PUT /environments/alpha).
        var port = new Uri(world.Host.Url).Port;
        foreach (var path in new[] { "/api/v1/environments/alpha/secrets/%2e%2e", "/api/v1/environments/alpha/secrets/%2E%2e", "/api/v1/environments/alpha/secrets/.%2e", "/api/v1/environments/alpha/secrets/%2e", "/api/v1/environments/alpha/secrets/../../../users" })
        {
            var body = """{"value":"v","content":"x","version":1}"""u8.ToArray();
            var reply = await RawHttp.SendAsync(world.Host.Url, $"""
                PUT {path} HTTP/1.1
                Host: 127.0.0.1:{port}
                Authorization: Bearer {world.OwnerToken}
                Content-Type: application/json
                Content-Length: {body.Length}
                Connection: close

                """, body);
            ExpectProblem(reply, 400, "invalid_path");
        }
    }

    [Fact]
    public async Task The_openapi_servers_entry_comes_from_the_settings_never_from_the_host_header()
    {
        var port = new Uri(world.Host.Url).Port;
        var reply = await RawHttp.SendAsync(world.Host.Url, $"""
            GET /openapi/v1.json HTTP/1.1
            Host: attacker.example:{port}
            X-Forwarded-Host: attacker.example
            Connection: close

            """);
        Assert.Equal(200, reply.Status);
        Assert.DoesNotContain("attacker.example", reply.Body, StringComparison.Ordinal);

        await using var configured = await WardHost.StartAsync(new HostOptions { Settings = ["--Ward:PublicUrl=https://ward.clinic.example/"] });
        var document = (JsonObject)(await configured.Anonymous().GetAsync("/openapi/v1.json").Expect(200)).Json!;
        // As configured, less the trailing slash (which would double the slash before every path: Redocly's error).
        Assert.Equal("https://ward.clinic.example", Assert.Single(document["servers"]!.AsArray())!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_server_error_is_a_problem_with_the_security_headers()
    {
        // Finding 7: the 500 lacked the security headers. A store that lost a table is a failure of the server.
        await using var host = await WardHost.StartAsync();
        var owner = await host.CreateOwnerAsync();
        await using (var db = host.Store.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"Environments\"", TestContext.Current.CancellationToken);
        }

        var failed = await owner.GetAsync("/api/v1/environments");
        ExpectProblem(failed, 500, "internal_error");
        Assert.DoesNotContain("Environments", failed.Body, StringComparison.Ordinal);
    }

    /// <summary>A ProblemDetails with the status and code, and the security headers every answer carries.</summary>
    private static void ExpectProblem(Reply reply, int status, string code)
    {
        reply.Expect(status, code);
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal(status, reply.Json!["status"]!.GetValue<int>());
        foreach (var header in SecurityHeaders)
        {
            Assert.True(reply.Headers.Contains(header, StringComparison.OrdinalIgnoreCase), $"the {status} {code} answer lacks {header}:\n{reply.Headers}");
        }
    }

    /// <summary>A server with a fake swarm, an owner (and their token), a viewer and an environment alpha.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal WardHost Host { get; private set; } = null!;

        internal ApiClient Owner { get; private set; } = null!;

        internal ApiClient Viewer { get; private set; } = null!;

        internal string OwnerToken { get; private set; } = "";

        public async ValueTask InitializeAsync()
        {
            Host = await WardHost.StartAsync(new HostOptions { Engine = new FakeSwarm() });
            Owner = await Host.CreateOwnerAsync();
            await WardHost.RegisterAsync(Owner, Environments.File("alpha"));
            Viewer = await Host.UserWithRoleAsync(Owner, "viewer", "viewer");
            OwnerToken = await WardHost.CreateTokenAsync(Owner, "owner");
        }

        public async ValueTask DisposeAsync() => await Host.DisposeAsync();
    }
}
