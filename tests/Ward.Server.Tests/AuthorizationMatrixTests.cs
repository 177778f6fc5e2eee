using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// The authorisation matrix, written by hand as the specification: one row per endpoint, one column per kind of
/// caller (anonymous; viewer, deployer, admin and owner with global grants; a deployer of one environment; tokens of
/// each role, one capped below its user and one limited to an environment), and for endpoints of an environment one
/// line for alpha and one for bravo. "401" is unauthenticated, "403" forbidden, "ok" anything the role check lets
/// through. Every endpoint the server maps must have a row, so a new endpoint cannot go unspecified, and deleting a
/// role check from an endpoint turns some "403" into an answer the table does not expect.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixTests.Fixture world) : IClassFixture<AuthorizationMatrixTests.Fixture>
{
    private static readonly string[] Ranks = ["viewer", "deployer", "admin", "owner"];

    /// <summary>The columns, in the order of <see cref="Fixture.Callers"/>.</summary>
    private const string Columns = "anonymous viewer deployer admin owner alpha-deployer viewer-token deployer-token admin-token owner-token owner's-viewer-token owner's-alpha-admin-token";

    private static readonly TableRow[] Table =
    [
        //                                                     anon vwr  dep  adm  own  αdep vwrT depT admT ownT ownVT αadmT
        Row("GET /",                                          "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("GET /assets/{*file}",                            "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("GET /openapi/{documentName}.json",               "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("GET /api/v1/health",                             "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        // Not a role but the scraper's own token (Ward:MetricsToken, unset here: 404); MetricsEndpointTests covers it.
        Row("GET /metrics",                                   "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("GET /api/v1/setup",                              "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("POST /api/v1/setup",                             "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("GET /api/v1/session",                            "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("POST /api/v1/session",                           "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("DELETE /api/v1/session",                         "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("POST /api/v1/session/totp",                      "401  ok   ok   ok   ok   ok   403  403  403  403  403  403"),
        Row("POST /api/v1/session/totp/confirm",              "401  ok   ok   ok   ok   ok   403  403  403  403  403  403"),
        Row("GET /api/v1/environments",                       "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("POST /api/v1/environments",                      "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("GET /api/v1/environments/{name}",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("PUT /api/v1/environments/{name}",
            alpha:                                            "401  403  403  ok   ok   403  403  403  ok   ok   403  ok",
            bravo:                                            "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("DELETE /api/v1/environments/{name}",
            alpha:                                            "401  403  403  ok   ok   403  403  403  ok   ok   403  ok",
            bravo:                                            "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("GET /api/v1/environments/{name}/findings",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("GET /api/v1/environments/{name}/capacity",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("GET /api/v1/environments/{name}/databases",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("GET /api/v1/environments/{name}/databases/{database}",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("GET /api/v1/environments/{name}/databases/{database}/backups",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("POST /api/v1/environments/{name}/databases/{database}/backups",
            alpha:                                            "401  403  ok   ok   ok   ok   403  ok   ok   ok   403  ok",
            bravo:                                            "401  403  ok   ok   ok   403  403  ok   ok   ok   403  403"),
        Row("POST /api/v1/environments/{name}/databases/{database}/restores",
            alpha:                                            "401  403  ok   ok   ok   ok   403  ok   ok   ok   403  ok",
            bravo:                                            "401  403  ok   ok   ok   403  403  ok   ok   ok   403  403"),
        Row("POST /api/v1/environments/{name}/databases/{database}/rehearsals",
            alpha:                                            "401  403  ok   ok   ok   ok   403  ok   ok   ok   403  ok",
            bravo:                                            "401  403  ok   ok   ok   403  403  ok   ok   ok   403  403"),
        Row("GET /api/v1/environments/{name}/databases/{database}/rehearsals",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("GET /api/v1/environments/{name}/switchover/plan",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("GET /api/v1/environments/{name}/domains",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("GET /api/v1/environments/{name}/logs",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("GET /api/v1/environments/{name}/alerts",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("POST /api/v1/environments/{name}/alerts/silences",
            alpha:                                            "401  403  ok   ok   ok   ok   403  ok   ok   ok   403  ok",
            bravo:                                            "401  403  ok   ok   ok   403  403  ok   ok   ok   403  403"),
        Row("POST /api/v1/environments/{name}/alerts/acknowledgements",
            alpha:                                            "401  403  ok   ok   ok   ok   403  ok   ok   ok   403  ok",
            bravo:                                            "401  403  ok   ok   ok   403  403  ok   ok   ok   403  403"),
        Row("POST /api/v1/environments/{name}/domains/checks",
            alpha:                                            "401  403  ok   ok   ok   ok   403  ok   ok   ok   403  ok",
            bravo:                                            "401  403  ok   ok   ok   403  403  ok   ok   ok   403  403"),
        Row("POST /api/v1/environments/{name}/plans",
            alpha:                                            "401  403  ok   ok   ok   ok   403  ok   ok   ok   403  ok",
            bravo:                                            "401  403  ok   ok   ok   403  403  ok   ok   ok   403  403"),
        Row("POST /api/v1/environments/{name}/applies",
            alpha:                                            "401  403  ok   ok   ok   ok   403  ok   ok   ok   403  ok",
            bravo:                                            "401  403  ok   ok   ok   403  403  ok   ok   ok   403  403"),
        Row("GET /api/v1/environments/{name}/operations",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("GET /api/v1/environments/{name}/status",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("GET /api/v1/environments/{name}/secrets",
            alpha:                                            "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
            bravo:                                            "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("PUT /api/v1/environments/{name}/secrets/{key}",
            alpha:                                            "401  403  ok   ok   ok   ok   403  ok   ok   ok   403  ok",
            bravo:                                            "401  403  ok   ok   ok   403  403  ok   ok   ok   403  403"),
        Row("GET /api/v1/operations/{id}",                    "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("GET /api/v1/operations/{id}/events",             "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
        Row("GET /api/v1/nodes",                              "401  ok   ok   ok   ok   403  ok   ok   ok   ok   ok   403"),
        Row("PUT /api/v1/nodes/{id}/availability",            "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("PUT /api/v1/nodes/{id}/role",                    "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("PUT /api/v1/nodes/{id}/labels",                  "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("GET /api/v1/users",                              "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("POST /api/v1/users",                             "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("PUT /api/v1/users/{id}",                         "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("POST /api/v1/users/{id}/grants",                 "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("DELETE /api/v1/users/{id}/grants/{grantId}",     "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("GET /api/v1/tokens",                             "401  ok   ok   ok   ok   ok   403  403  403  403  403  403"),
        Row("POST /api/v1/tokens",                            "401  ok   ok   ok   ok   ok   403  403  403  403  403  403"),
        Row("DELETE /api/v1/tokens/{id}",                     "401  ok   ok   ok   ok   ok   403  403  403  403  403  403"),
        Row("GET /api/v1/audit",                              "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("GET /api/v1/audit/export",                       "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
        Row("GET /api/v1/audit/verify",                       "401  403  403  ok   ok   403  403  403  ok   ok   403  403"),
    ];

    [Fact]
    public void Every_endpoint_the_server_maps_has_a_row_and_every_row_is_mapped()
    {
        var mapped = ((IEndpointRouteBuilder)world.Host.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => $"{m} {Normalise(e.RoutePattern.RawText!)}"))
            .ToHashSet(StringComparer.Ordinal);
        var specified = Table.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Table.Length, specified.Count);
        Assert.True(mapped.Count >= 40, $"only {mapped.Count} endpoints found: {string.Join(", ", mapped)}");
        var unspecified = mapped.Except(specified).Order(StringComparer.Ordinal).ToList();
        Assert.True(unspecified.Count == 0, $"endpoints without a row in the authorisation table (add one, by hand): {string.Join(", ", unspecified)}");
        var gone = specified.Except(mapped).Order(StringComparer.Ordinal).ToList();
        Assert.True(gone.Count == 0, $"rows for endpoints the server does not map: {string.Join(", ", gone)}");
    }

    [Fact]
    public void The_document_lists_the_api_endpoints_each_with_a_role_and_a_scope()
    {
        var operations = Operations(world.Document);
        var listed = operations.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var missing = Table.Select(r => r.Key).Where(k => k.Contains(" /api/", StringComparison.Ordinal) && !listed.Contains(k)).ToList();
        Assert.True(missing.Count == 0, $"the OpenAPI document lacks: {string.Join(", ", missing)}");

        var problems = new List<string>();
        foreach (var operation in operations)
        {
            if (operation.Role is null)
            {
                problems.Add($"{operation.Key} has no x-ward-role");
            }
            else if (operation.Role is not ("anonymous" or "signed-in") && !Ranks.Contains(operation.Role))
            {
                problems.Add($"{operation.Key} has x-ward-role '{operation.Role}', which is no role");
            }

            if (operation.Scope is not ("public" or "session" or "global" or "environment" or "any-environment"))
            {
                problems.Add($"{operation.Key} has x-ward-scope '{operation.Scope}'");
            }

            if (operation.Scope == "environment" && !operation.Path.Contains("{name}", StringComparison.Ordinal))
            {
                problems.Add($"{operation.Key} is environment-scoped but its path names no environment");
            }

            // The document tells clients what the table says: anonymous exactly where anyone is let in.
            var row = Table.Single(r => r.Key == operation.Key);
            if ((operation.Role == "anonymous") != row.Alpha.All(o => o == "ok"))
            {
                problems.Add($"{operation.Key}: x-ward-role {operation.Role} disagrees with the table");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Every_endpoint_answers_every_caller_as_the_table_says()
    {
        Assert.Equal(Columns.Split(' ').Length, world.Callers().Count);
        var mismatches = new List<string>();
        var unlisted = new SortedSet<string>(StringComparer.Ordinal);
        var calls = 0;
        foreach (var row in Table)
        {
            foreach (var (environment, expectations) in row.Bravo is null ? [("alpha", row.Alpha)] : new[] { ("alpha", row.Alpha), ("bravo", row.Bravo) })
            {
                for (var column = 0; column < expectations.Length; column++)
                {
                    var caller = world.Callers()[column];

                    // Signing in or out goes out on a session of its own, so it changes nothing else.
                    using var own = row.Key.EndsWith(" /api/v1/session", StringComparison.Ordinal) ? await world.SpareSessionAsync(caller) : null;
                    var reply = await Call(own ?? caller.Client, row.Method, row.Path, environment);
                    calls++;
                    if (reply.Code is { } code && !Ward.Server.Api.ProblemCodes.All.Contains(code))
                    {
                        unlisted.Add($"{code} ({row.Key})");
                    }

                    var ok = expectations[column] switch
                    {
                        "401" => reply.Status == 401 && reply.Code == "unauthenticated",
                        "403" => reply.Status == 403 && reply.Code == "forbidden",
                        "ok" => !(reply.Status == 401 && reply.Code == "unauthenticated") && !(reply.Status == 403 && reply.Code == "forbidden") && (reply.Status < 500 || reply is { Status: 503, Code: "engine_unavailable" }),
                        var other => throw new InvalidOperationException($"the table says '{other}' for {row.Key}"),
                    };
                    if (!ok)
                    {
                        mismatches.Add($"{caller.Name}: {row.Key} in {environment}: the table says {expectations[column]}, the server answered {reply}");
                    }
                }
            }
        }

        Assert.True(calls > 400, $"only {calls} calls were made");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {calls} calls answered against the table:\n{string.Join("\n", mismatches)}");
        Assert.True(unlisted.Count == 0, $"answers carried codes that are not in ProblemCodes: {string.Join(", ", unlisted)}");
    }

    [Fact]
    public async Task A_cookie_session_without_the_csrf_header_is_refused_on_every_unsafe_endpoint()
    {
        var unsafeOperations = Table.Where(r => r.Method is not ("GET" or "HEAD" or "OPTIONS")).ToList();
        Assert.True(unsafeOperations.Count >= 15, $"only {unsafeOperations.Count} unsafe operations");
        var mismatches = new List<string>();
        foreach (var caller in world.Callers().Where(c => c.TokenRole is null && !c.Anonymous))
        {
            foreach (var operation in unsafeOperations)
            {
                using var client = caller.Client.Clone();
                client.Csrf = null;
                var reply = await Call(client, operation.Method, operation.Path, "alpha");
                if (reply.Status != 403 || reply.Code != "csrf")
                {
                    mismatches.Add($"{caller.Name} without the header: {operation.Key}: {reply}");
                }

                // Another session's token is as good as none.
                client.Csrf = world.Viewer.Csrf == caller.Client.Csrf ? world.Owner.Csrf : world.Viewer.Csrf;
                reply = await Call(client, operation.Method, operation.Path, "alpha");
                if (reply.Status != 403 || reply.Code != "csrf")
                {
                    mismatches.Add($"{caller.Name} with another session's token: {operation.Key}: {reply}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));

        // The same request with the header goes through (the refusal above was the header's doing).
        await world.Owner.Clone().PutAsync("/api/v1/environments/alpha", new { content = Environments.File("alpha"), version = 0 }).Expect(409, "stale_version");
    }

    [Fact]
    public async Task A_deployer_of_one_environment_is_refused_in_another()
    {
        var deployer = world.AlphaDeployer;
        await deployer.PostAsync("/api/v1/environments/alpha/plans", new { prune = false }).Expect(503, "engine_unavailable");
        await deployer.PostAsync("/api/v1/environments/bravo/plans", new { prune = false }).Expect(403, "forbidden");
        await deployer.PostAsync("/api/v1/environments/bravo/applies", new { prune = false }).Expect(403, "forbidden");
        await deployer.GetAsync("/api/v1/environments/bravo").Expect(403, "forbidden");
        await deployer.GetAsync("/api/v1/environments/alpha").Expect(200);

        // Deployer is not admin, even in alpha.
        await deployer.PutAsync("/api/v1/environments/alpha", new { content = Environments.File("alpha"), version = 1 }).Expect(403, "forbidden");

        // The list shows only alpha, and the operations of alpha only.
        var listed = (await deployer.GetAsync("/api/v1/environments").Expect(200)).Json!.AsArray().Select(e => e!["name"]!.GetValue<string>());
        Assert.Equal(["alpha"], listed);
        await deployer.GetAsync($"/api/v1/operations/{world.AlphaOperation}").Expect(200);
        await deployer.GetAsync($"/api/v1/operations/{world.BravoOperation}").Expect(404, "operation_not_found");
    }

    [Fact]
    public async Task A_token_is_limited_by_its_role_and_environment()
    {
        // The owner's token capped at viewer reads but changes nothing.
        using var capped = world.Host.WithToken(world.OwnerViewerToken);
        await capped.GetAsync("/api/v1/environments/alpha").Expect(200);
        await capped.PostAsync("/api/v1/environments/alpha/plans", new { prune = false }).Expect(403, "forbidden");
        await capped.GetAsync("/api/v1/users").Expect(403, "forbidden");

        // The owner's admin token for alpha: admin in alpha, nothing in bravo, nothing global.
        using var alpha = world.Host.WithToken(world.AlphaAdminToken);
        await alpha.PutAsync("/api/v1/environments/alpha", new { content = Environments.File("alpha"), version = 0 }).Expect(409, "stale_version");
        await alpha.PutAsync("/api/v1/environments/bravo", new { content = Environments.File("bravo"), version = 0 }).Expect(403, "forbidden");
        await alpha.GetAsync("/api/v1/environments/bravo").Expect(403, "forbidden");
        await alpha.GetAsync("/api/v1/users").Expect(403, "forbidden");
        await alpha.GetAsync("/api/v1/audit").Expect(403, "forbidden");
        var listed = (await alpha.GetAsync("/api/v1/environments").Expect(200)).Json!.AsArray().Select(e => e!["name"]!.GetValue<string>());
        Assert.Equal(["alpha"], listed);

        // No token manages tokens.
        await alpha.GetAsync("/api/v1/tokens").Expect(403, "forbidden");

        // A token cannot be more than its user: the deployer cannot make an admin token.
        await world.Deployer.PostAsync("/api/v1/tokens", new { name = "too much", role = "admin" }).Expect(403, "forbidden");
    }

    [Fact]
    public async Task Expired_revoked_and_unknown_tokens_are_unauthenticated()
    {
        string[] tokens =
        [
            world.ExpiredToken,
            world.RevokedToken,
            "ward_" + new string('A', 43),
            "not-a-ward-token",
            world.OwnerToken[..^1] + (world.OwnerToken[^1] == 'A' ? 'B' : 'A'),
        ];
        foreach (var token in tokens)
        {
            using var client = world.Host.WithToken(token);
            await client.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
            await client.PostAsync("/api/v1/environments/alpha/plans", new { prune = false }).Expect(401, "unauthenticated");
            await client.GetAsync("/api/v1/audit").Expect(401, "unauthenticated");
        }

        // The same owner's live token works: the refusals above were the tokens' doing.
        using var live = world.Host.WithToken(world.OwnerToken);
        await live.GetAsync("/api/v1/audit").Expect(200);
    }

    private async Task<Reply> Call(ApiClient client, string method, string template, string environment)
    {
        var key = $"{method} {template}";
        var path = template
            .Replace("{name}", environment, StringComparison.Ordinal)
            .Replace("{key}", "token", StringComparison.Ordinal)
            .Replace("{database}", "records", StringComparison.Ordinal)
            .Replace("{grantId}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        path = path.Replace("{id}", template switch
        {
            _ when template.StartsWith("/api/v1/users/", StringComparison.Ordinal) => world.TargetUser.ToString(),
            _ when template.StartsWith("/api/v1/operations/", StringComparison.Ordinal) => (environment == "bravo" ? world.BravoOperation : world.AlphaOperation).ToString(),
            _ when template.StartsWith("/api/v1/nodes/", StringComparison.Ordinal) => "worker-1",
            _ => Guid.NewGuid().ToString(),
        }, StringComparison.Ordinal)
            .Replace("{*file}", "app.js", StringComparison.Ordinal)
            .Replace("{documentName}", "v1", StringComparison.Ordinal);
        Assert.DoesNotContain('{', path);
        var query = key switch
        {
            "DELETE /api/v1/environments/{name}" or "DELETE /api/v1/users/{id}/grants/{grantId}" => "?version=0",
            "GET /api/v1/audit/export" => "?format=csv",
            _ => "",
        };
        object? body = key switch
        {
            "POST /api/v1/setup" => new { code = "WRONG-CODE", userName = "intruder", password = WardHost.Password },
            "POST /api/v1/session" => new { userName = "probe", password = WardHost.Password },
            "POST /api/v1/session/totp/confirm" => new { code = "000000" },
            "POST /api/v1/environments" => new { fileName = "broken.yaml", content = "services: [" },
            "PUT /api/v1/environments/{name}" => new { content = Environments.File(environment), version = 0 },
            "PUT /api/v1/environments/{name}/secrets/{key}" => new { value = "matrix-value", version = 999 },
            "PUT /api/v1/nodes/{id}/availability" => new { availability = "drain" },
            "PUT /api/v1/nodes/{id}/role" => new { role = "worker" },
            "PUT /api/v1/nodes/{id}/labels" => new { labels = new Dictionary<string, string>() },
            "POST /api/v1/users" => new { userName = "", password = "" },
            "PUT /api/v1/users/{id}" => new { displayName = "renamed", version = 0 },
            "POST /api/v1/users/{id}/grants" => new { role = "viewer", environment = (string?)null, version = 0 },
            "POST /api/v1/tokens" => new { name = "matrix", role = "nobody" },
            _ when method is "POST" or "PUT" => new { prune = false },
            _ => null,
        };
        return await client.SendAsync(new HttpMethod(method), path + query, body);
    }

    /// <summary>A row of the table: an endpoint and what each caller gets (for alpha, and for bravo when the endpoint is of an environment).</summary>
    private sealed record TableRow(string Key, string[] Alpha, string[]? Bravo)
    {
        public string Method => Key.Split(' ')[0];

        public string Path => Key.Split(' ')[1];
    }

    private static TableRow Row(string key, string alpha, string? bravo = null) =>
        new(key, alpha.Split(' ', StringSplitOptions.RemoveEmptyEntries), bravo?.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>A route as the table writes it: no constraints, no trailing slash.</summary>
    private static string Normalise(string route)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(route, "{([*a-zA-Z]+):[^}]+}", "{$1}");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    internal sealed record Operation(string Method, string Path, string? Role, string? Scope)
    {
        public string Key => $"{Method} {Path}";
    }

    internal static List<Operation> Operations(JsonObject document)
    {
        var operations = new List<Operation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method is "get" or "put" or "post" or "delete" or "patch" or "head" or "options" or "trace")
                {
                    operations.Add(new Operation(
                        method.ToUpperInvariant(),
                        path.Length > 1 ? path.TrimEnd('/') : path,
                        operation!["x-ward-role"]?.GetValue<string>(),
                        operation["x-ward-scope"]?.GetValue<string>()));
                }
            }
        }

        return operations;
    }

    /// <summary>A caller and what it holds: grants of its user, and a token's cap (the table's columns).</summary>
    internal sealed record Caller(string Name, ApiClient Client, (string Role, string? Environment)[] Grants, string? TokenRole = null, string? TokenEnvironment = null)
    {
        public bool Anonymous => Grants.Length == 0;
    }

    /// <summary>One server with environments alpha and bravo, users of each role, tokens, and an operation in each environment.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal WardHost Host { get; private set; } = null!;

        internal JsonObject Document { get; private set; } = null!;

        internal ApiClient Owner { get; private set; } = null!;

        internal ApiClient Admin { get; private set; } = null!;

        internal ApiClient Deployer { get; private set; } = null!;

        internal ApiClient Viewer { get; private set; } = null!;

        internal ApiClient AlphaDeployer { get; private set; } = null!;

        internal string OwnerToken { get; private set; } = "";

        internal string OwnerViewerToken { get; private set; } = "";

        internal string AlphaAdminToken { get; private set; } = "";

        internal string ExpiredToken { get; private set; } = "";

        internal string RevokedToken { get; private set; } = "";

        internal Guid AlphaOperation { get; private set; }

        internal Guid BravoOperation { get; private set; }

        /// <summary>The user whom PUT /users/{id} and the grant endpoints are called on.</summary>
        internal Guid TargetUser { get; private set; }

        private readonly List<Caller> _callers = [];

        public async ValueTask InitializeAsync()
        {
            Host = await WardHost.StartAsync();
            Owner = await Host.CreateOwnerAsync();
            foreach (var environment in new[] { "alpha", "bravo" })
            {
                await WardHost.RegisterAsync(Owner, Environments.File(environment));
                await Owner.PutAsync($"/api/v1/environments/{environment}/secrets/token", new { value = "matrix" }).Expect(200);
            }

            Viewer = await Host.UserWithRoleAsync(Owner, "viewer", "viewer");
            Deployer = await Host.UserWithRoleAsync(Owner, "deployer", "deployer");
            Admin = await Host.UserWithRoleAsync(Owner, "admin", "admin");
            AlphaDeployer = await Host.UserWithRoleAsync(Owner, "alpha-deployer", "deployer", "alpha");
            await WardHost.GrantAsync(Owner, await WardHost.CreateUserAsync(Owner, "probe"), "viewer");
            TargetUser = await WardHost.CreateUserAsync(Owner, "target");

            _callers.Add(new Caller("anonymous", Host.Anonymous(), []));
            _callers.Add(new Caller("viewer", Viewer, [("viewer", null)]));
            _callers.Add(new Caller("deployer", Deployer, [("deployer", null)]));
            _callers.Add(new Caller("admin", Admin, [("admin", null)]));
            _callers.Add(new Caller("owner", Owner, [("owner", null)]));
            _callers.Add(new Caller("deployer of alpha", AlphaDeployer, [("deployer", "alpha")]));
            foreach (var (role, session) in new[] { ("viewer", Viewer), ("deployer", Deployer), ("admin", Admin), ("owner", Owner) })
            {
                var token = await WardHost.CreateTokenAsync(session, role);
                OwnerToken = token;
                _callers.Add(new Caller($"{role} token", Host.WithToken(token), [(role, null)], role));
            }

            OwnerViewerToken = await WardHost.CreateTokenAsync(Owner, "viewer");
            AlphaAdminToken = await WardHost.CreateTokenAsync(Owner, "admin", "alpha");
            _callers.Add(new Caller("owner's viewer token", Host.WithToken(OwnerViewerToken), [("owner", null)], "viewer"));
            _callers.Add(new Caller("owner's admin token for alpha", Host.WithToken(AlphaAdminToken), [("owner", null)], "admin", "alpha"));
            RevokedToken = await WardHost.CreateTokenAsync(Owner, "owner");
            var revokedId = (await Owner.GetAsync("/api/v1/tokens").Expect(200)).Json!.AsArray()
                .Single(t => RevokedToken.StartsWith(t!["prefix"]!.GetValue<string>(), StringComparison.Ordinal))!["id"]!.GetValue<Guid>();
            await Owner.DeleteAsync($"/api/v1/tokens/{revokedId}").Expect(204);

            // Expired: its expiry moved into the past in the store before it is ever used (so no cache holds it).
            ExpiredToken = await WardHost.CreateTokenAsync(Owner, "owner");
            await using (var db = Host.Store.CreateContext())
            {
                var hash = Ward.Server.Auth.PrincipalCache.HashToken(ExpiredToken);
                var stored = await db.ApiTokens.SingleAsync(t => t.Hash == hash, TestContext.Current.CancellationToken);
                stored.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1);
                await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            }

            AlphaOperation = await ApplyAsync("alpha");
            BravoOperation = await ApplyAsync("bravo");
            Document = (JsonObject)(await Host.Anonymous().GetAsync("/openapi/v1.json").Expect(200)).Json!;
        }

        private async Task<Guid> ApplyAsync(string environment)
        {
            var started = await Owner.PostAsync($"/api/v1/environments/{environment}/applies", new { prune = false }).Expect(202);
            var id = started.Json!["id"]!.GetValue<Guid>();
            var finished = await WardHost.WaitForOperationAsync(Owner, id);
            Assert.Equal("failed", finished["state"]!.GetValue<string>());
            return id;
        }

        internal IReadOnlyList<Caller> Callers() => _callers;

        /// <summary>A client of its own for the caller, for signing in or out without touching the caller's session.</summary>
        internal async Task<ApiClient> SpareSessionAsync(Caller caller) =>
            caller.Anonymous ? Host.Anonymous()
            : caller.Client.Bearer is { } token ? Host.WithToken(token)
            : await Host.SignInAsync(caller.Client.UserName!, caller.Client.Password!, totpSecret: caller.Client.TotpSecret);

        public async ValueTask DisposeAsync() => await Host.DisposeAsync();
    }
}
