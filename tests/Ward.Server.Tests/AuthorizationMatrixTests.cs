using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// The authorisation matrix, generated from the OpenAPI document: every operation, called by every kind of caller
/// (anonymous; viewer, deployer, admin and owner with global grants; a deployer of one environment; tokens of each
/// role, one capped below its user and one limited to an environment), must answer as its x-ward-role and
/// x-ward-scope say: 401 without credentials, 403 when the role is too low, neither when it is enough.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixTests.Fixture world) : IClassFixture<AuthorizationMatrixTests.Fixture>
{
    private static readonly string[] Ranks = ["viewer", "deployer", "admin", "owner"];

    /// <summary>Endpoints the document must list, whatever else it has: an empty or truncated document fails.</summary>
    private static readonly string[] KnownEndpoints =
    [
        "GET /api/v1/health", "GET /api/v1/setup", "POST /api/v1/setup",
        "GET /api/v1/session", "POST /api/v1/session", "DELETE /api/v1/session",
        "POST /api/v1/session/totp", "POST /api/v1/session/totp/confirm",
        "GET /api/v1/environments", "POST /api/v1/environments",
        "GET /api/v1/environments/{name}", "PUT /api/v1/environments/{name}", "DELETE /api/v1/environments/{name}",
        "GET /api/v1/environments/{name}/findings", "POST /api/v1/environments/{name}/plans", "POST /api/v1/environments/{name}/applies",
        "GET /api/v1/environments/{name}/operations", "GET /api/v1/environments/{name}/status", "GET /api/v1/environments/{name}/capacity",
        "GET /api/v1/environments/{name}/secrets", "PUT /api/v1/environments/{name}/secrets/{key}",
        "GET /api/v1/operations/{id}", "GET /api/v1/operations/{id}/events",
        "GET /api/v1/nodes", "PUT /api/v1/nodes/{id}/availability", "PUT /api/v1/nodes/{id}/role", "PUT /api/v1/nodes/{id}/labels",
        "GET /api/v1/users", "POST /api/v1/users", "PUT /api/v1/users/{id}", "POST /api/v1/users/{id}/grants", "DELETE /api/v1/users/{id}/grants/{grantId}",
        "GET /api/v1/tokens", "POST /api/v1/tokens", "DELETE /api/v1/tokens/{id}",
        "GET /api/v1/audit", "GET /api/v1/audit/export", "GET /api/v1/audit/verify",
    ];

    [Fact]
    public void The_document_lists_the_known_endpoints_each_with_a_role_and_a_scope()
    {
        var operations = Operations(world.Document);
        var listed = operations.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var missing = KnownEndpoints.Where(e => !listed.Contains(e)).ToList();
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
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Every_endpoint_answers_every_caller_as_its_role_and_scope_say()
    {
        var operations = Operations(world.Document);
        Assert.True(operations.Count >= KnownEndpoints.Length, "the document lists fewer operations than the known endpoints");
        var mismatches = new List<string>();
        var calls = 0;
        foreach (var caller in world.Callers())
        {
            foreach (var operation in operations)
            {
                foreach (var environment in operation.Path.Contains("{name}", StringComparison.Ordinal) ? new string?[] { "alpha", "bravo" } : [null])
                {
                    var expected = Expected(caller, operation, environment);

                    // Signing in or out goes out on a copy of the caller's session, so it changes nothing else.
                    using var copy = operation.Path == "/api/v1/session" ? caller.Client.Clone() : null;
                    var reply = await Call(copy ?? caller.Client, operation, environment ?? "alpha");
                    calls++;
                    var ok = expected switch
                    {
                        401 => reply.Status == 401 && reply.Code == "unauthenticated",
                        403 => reply.Status == 403 && reply.Code == "forbidden",
                        _ => reply.Status is not (401 or 403) && reply.Status < 500 || reply is { Status: 503, Code: "engine_unavailable" },
                    };
                    if (!ok)
                    {
                        mismatches.Add($"{caller.Name}: {operation.Key} in {environment ?? "-"} (role {operation.Role}, scope {operation.Scope}): expected {(expected == 0 ? "allowed" : expected)}, got {reply}");
                    }
                }
            }
        }

        Assert.True(calls > 300, $"only {calls} calls were made");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {calls} calls answered wrongly:\n{string.Join("\n", mismatches)}");
    }

    [Fact]
    public async Task A_cookie_session_without_the_csrf_header_is_refused_on_every_unsafe_endpoint()
    {
        var unsafeOperations = Operations(world.Document).Where(o => o.Method is not ("GET" or "HEAD" or "OPTIONS")).ToList();
        Assert.True(unsafeOperations.Count >= 15, $"only {unsafeOperations.Count} unsafe operations");
        var mismatches = new List<string>();
        foreach (var caller in world.Callers().Where(c => c.TokenRole is null && !c.Anonymous))
        {
            foreach (var operation in unsafeOperations)
            {
                using var client = caller.Client.Clone();
                client.Csrf = null;
                var reply = await Call(client, operation, "alpha");
                if (reply.Status != 403 || reply.Code != "csrf")
                {
                    mismatches.Add($"{caller.Name} without the header: {operation.Key}: {reply}");
                }

                // Another session's token is as good as none.
                client.Csrf = world.Viewer.Csrf == caller.Client.Csrf ? world.Owner.Csrf : world.Viewer.Csrf;
                reply = await Call(client, operation, "alpha");
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

    /// <summary>What the caller should get: 401, 403, or 0 for "allowed" (any answer but those two).</summary>
    private static int Expected(Caller caller, Operation operation, string? environment)
    {
        if (operation.Role == "anonymous")
        {
            return 0;
        }

        if (caller.Anonymous)
        {
            return 401;
        }

        if (operation.Scope == "session")
        {
            return caller.TokenRole is not null ? 403 : 0;
        }

        var role = operation.Scope switch
        {
            "environment" => caller.RoleIn(environment),
            "any-environment" => caller.RoleAnywhere(),
            _ => caller.RoleIn(null),
        };
        return Rank(role) >= Rank(operation.Role) ? 0 : 403;
    }

    private static int Rank(string? role) => role is null ? -1 : Array.IndexOf(Ranks, role);

    private async Task<Reply> Call(ApiClient client, Operation operation, string environment)
    {
        var path = operation.Path
            .Replace("{name}", environment, StringComparison.Ordinal)
            .Replace("{key}", "token", StringComparison.Ordinal)
            .Replace("{grantId}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        path = path.Replace("{id}", operation.Path switch
        {
            _ when operation.Path.StartsWith("/api/v1/users/", StringComparison.Ordinal) => world.TargetUser.ToString(),
            _ when operation.Path.StartsWith("/api/v1/operations/", StringComparison.Ordinal) => (environment == "bravo" ? world.BravoOperation : world.AlphaOperation).ToString(),
            _ when operation.Path.StartsWith("/api/v1/nodes/", StringComparison.Ordinal) => "worker-1",
            _ => Guid.NewGuid().ToString(),
        }, StringComparison.Ordinal);
        Assert.DoesNotContain('{', path);
        var query = operation.Key switch
        {
            "DELETE /api/v1/environments/{name}" or "DELETE /api/v1/users/{id}/grants/{grantId}" => "?version=0",
            "GET /api/v1/audit/export" => "?format=csv",
            _ => "",
        };
        object? body = operation.Key switch
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
            _ when operation.Method is "POST" or "PUT" => new { prune = false },
            _ => null,
        };
        return await client.SendAsync(new HttpMethod(operation.Method), path + query, body);
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

    /// <summary>A caller and what it holds: grants of its user, and a token's cap.</summary>
    internal sealed record Caller(string Name, ApiClient Client, (string Role, string? Environment)[] Grants, string? TokenRole = null, string? TokenEnvironment = null)
    {
        public bool Anonymous => Grants.Length == 0;

        public string? RoleIn(string? environment)
        {
            if (TokenRole is not null && TokenEnvironment is not null && environment != TokenEnvironment)
            {
                return null;
            }

            var best = Grants.Where(g => g.Environment is null || g.Environment == environment).Select(g => g.Role).MaxBy(Rank);
            return TokenRole is null || Rank(best) <= Rank(TokenRole) ? best : TokenRole;
        }

        public string? RoleAnywhere() =>
            TokenEnvironment is not null ? RoleIn(TokenEnvironment) : Grants.Select(g => RoleIn(g.Environment)).MaxBy(Rank);
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

        public async ValueTask DisposeAsync() => await Host.DisposeAsync();
    }
}
