using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Ward.Server.Auth;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>First-run setup: it needs the one-time code from the server's log, and it happens once.</summary>
public sealed class FirstRunSetupTests : IAsyncLifetime
{
    private WardHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await WardHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Setup_needs_the_one_time_code_and_cannot_be_repeated()
    {
        using var client = _host.Anonymous();
        Assert.True((await client.GetAsync("/api/v1/setup").Expect(200)).Json!["needed"]!.GetValue<bool>());
        var code = _host.SetupCode;
        Assert.Contains(_host.Logs.Lines, l => l.Contains(code, StringComparison.Ordinal) && l.StartsWith("Warning", StringComparison.Ordinal));

        // Nothing else works before setup.
        await client.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");

        await client.PostAsync("/api/v1/setup", new { code = "ABCD-EFGH-JKLM-NPQR", userName = "mallory", password = WardHost.Password }).Expect(403, "forbidden");
        await client.PostAsync("/api/v1/setup", new { code = "", userName = "mallory", password = WardHost.Password }).Expect(403, "forbidden");

        // A refused request does not use the code up.
        await client.PostAsync("/api/v1/setup", new { code, userName = "owner", password = "short" }).Expect(400, "weak_password");
        await client.PostAsync("/api/v1/setup", new { code, userName = "bad name!", password = WardHost.Password }).Expect(400, "invalid_user_name");
        Assert.True((await client.GetAsync("/api/v1/setup").Expect(200)).Json!["needed"]!.GetValue<bool>());

        await client.PostAsync("/api/v1/setup", new { code = code.ToLowerInvariant(), userName = "owner", password = WardHost.Password }).Expect(201);
        Assert.False((await client.GetAsync("/api/v1/setup").Expect(200)).Json!["needed"]!.GetValue<bool>());

        // Once only: the same code, or any other, is refused now.
        await client.PostAsync("/api/v1/setup", new { code, userName = "mallory", password = WardHost.Password }).Expect(409, "setup_done");
        await client.PostAsync("/api/v1/setup", new { code, userName = "owner", password = "another long password" }).Expect(409, "setup_done");

        // The owner is the only user, an owner, and must enrol a second factor first.
        var signIn = await client.PostAsync("/api/v1/session", new { userName = "owner", password = WardHost.Password }).Expect(200);
        Assert.Equal("enroll", signIn.Json!["stage"]!.GetValue<string>());
        await using var db = _host.Store.CreateContext();
        var users = await db.Users.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
        var user = Assert.Single(users);
        Assert.Equal("owner", user.UserName);
        var grant = Assert.Single(await db.RoleGrants.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(("owner", null, user.Id), (grant.Role, grant.Environment, grant.UserId));
        Assert.Contains(await db.Audit.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken), e => e.Action == "setup" && e.Actor == "owner");
    }
}

/// <summary>Sign-in attempts per address per minute are limited, with a ProblemDetails answer.</summary>
public sealed class SignInRateLimitTests : IAsyncLifetime
{
    private WardHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await WardHost.StartAsync(new HostOptions { Settings = ["--Ward:SignInAttemptsPerMinute=3"] });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_fourth_sign_in_attempt_in_a_minute_is_refused_with_429()
    {
        using var client = _host.Anonymous();
        for (var i = 0; i < 3; i++)
        {
            await client.PostAsync("/api/v1/session", new { userName = "someone", password = "wrong password " + i }).Expect(401, "invalid_credentials");
        }

        var refused = await client.PostAsync("/api/v1/session", new { userName = "someone", password = "wrong password 4" }).Expect(429, "rate_limited");
        Assert.Equal("application/problem+json", refused.ContentType);

        // Only sign-in is limited.
        await client.GetAsync("/api/v1/setup").Expect(200);
        await client.GetAsync("/api/v1/session").Expect(200);
    }
}

/// <summary>One server with an owner, shared by the tests of a class (each uses users of its own).</summary>
public class OwnedServer : IAsyncLifetime
{
    internal WardHost Host { get; private set; } = null!;

    internal string OwnerSecret { get; private set; } = "";

    private ApiClient? _owner;

    private protected virtual HostOptions Options => new();

    public async ValueTask InitializeAsync()
    {
        Host = await WardHost.StartAsync(Options);
        _owner = await Host.CreateOwnerAsync();
        OwnerSecret = _owner.TotpSecret!;
    }

    /// <summary>
    /// The owner's session: the one from before while it lasts, else a new one (a test may have moved the clock past its
    /// idle timeout). Signing in anew for every test would use up the owner's TOTP steps, each accepted once.
    /// </summary>
    internal async Task<ApiClient> OwnerAsync()
    {
        if (_owner is not null && (await _owner.GetAsync("/api/v1/session")).Json?["signedIn"]?.GetValue<bool>() == true)
        {
            await _owner.RefreshCsrfAsync();
            return _owner;
        }

        return _owner = await Host.SignInAsync("owner", WardHost.Password, totpSecret: OwnerSecret);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A server whose clock the tests move: idle timeout 10 minutes, lockout after 3 failures for 5 minutes.</summary>
public sealed class ClockedServer : OwnedServer
{
    internal FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    private protected override HostOptions Options => new()
    {
        Clock = Clock,
        Settings = ["--Ward:IdleTimeout=00:10:00", "--Ward:LockoutThreshold=3", "--Ward:LockoutDuration=00:05:00"],
    };
}

/// <summary>Back-off after wrong codes, idle sign-out and token expiry, on a server whose clock the test moves.</summary>
public sealed class ClockedSessionTests(ClockedServer server) : IClassFixture<ClockedServer>, IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = server.Clock;
    private readonly WardHost _host = server.Host;
    private ApiClient _owner = null!;

    public async ValueTask InitializeAsync() => _owner = await server.OwnerAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Wrong_two_factor_codes_count_towards_the_back_off()
    {
        var admin = await _host.UserWithRoleAsync(_owner, "codey", "admin");
        using var client = _host.Anonymous();
        var wrong = Totp.Code(admin.TotpSecret!, _clock.GetUtcNow().AddMinutes(10));
        for (var i = 0; i < 3; i++)
        {
            await client.PostAsync("/api/v1/session", new { userName = "codey", password = WardHost.Password, code = wrong }).Expect(401, "invalid_two_factor");
        }

        await client.PostAsync("/api/v1/session", new { userName = "codey", password = WardHost.Password, code = await _host.NextCodeAsync(admin.TotpSecret!) }).Expect(429, "sign_in_backoff");
    }

    [Fact]
    public async Task A_session_ends_after_the_idle_timeout_and_activity_extends_it()
    {
        var viewer = await _host.UserWithRoleAsync(_owner, "idler", "viewer");
        await viewer.GetAsync("/api/v1/environments").Expect(200);

        // Activity past half the timeout renews the session, so twelve minutes after signing in it still works.
        _clock.Advance(TimeSpan.FromMinutes(6));
        await viewer.GetAsync("/api/v1/environments").Expect(200);
        _clock.Advance(TimeSpan.FromMinutes(6));
        await viewer.GetAsync("/api/v1/environments").Expect(200);

        // Ten minutes without activity end it.
        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        await viewer.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
        Assert.False((await viewer.GetAsync("/api/v1/session").Expect(200)).Json!["signedIn"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_token_stops_working_when_it_expires()
    {
        var token = await WardHost.CreateTokenAsync(_owner, "viewer", days: 1);
        using var client = _host.WithToken(token);
        await client.GetAsync("/api/v1/environments").Expect(200);
        _clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(1));
        await client.GetAsync("/api/v1/environments").Expect(200);
        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await client.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
    }
}

/// <summary>
/// Cookie attributes: HttpOnly and SameSite=Strict always; the session cookie is Secure over https or when configured
/// (Ward:SecureCookies, for a TLS-terminating proxy in front), the CSRF cookie over https.
/// </summary>
public sealed class CookieTests
{
    [Theory]
    [InlineData(false, false, false, false)]
    [InlineData(false, true, true, false)]
    [InlineData(true, false, true, true)]
    [InlineData(true, true, true, true)]
    public async Task Session_and_csrf_cookies_carry_the_right_attributes(bool https, bool secureCookies, bool secureSession, bool secureCsrf)
    {
        await using var host = await WardHost.StartAsync(new HostOptions { Https = https, Settings = [$"--Ward:SecureCookies={secureCookies}"] });
        Assert.StartsWith(https ? "https://" : "http://", host.Url, StringComparison.Ordinal);
        using var client = host.Anonymous();
        var csrf = await client.GetAsync("/api/v1/session").Expect(200);
        await client.PostAsync("/api/v1/setup", new { code = host.SetupCode, userName = "owner", password = WardHost.Password }).Expect(201);
        var signIn = await client.PostAsync("/api/v1/session", new { userName = "owner", password = WardHost.Password }).Expect(200);

        foreach (var (name, reply, expectSecure) in new[] { ("ward.session", signIn, secureSession), ("ward.csrf", csrf, secureCsrf) })
        {
            var cookie = reply.SetCookies.SingleOrDefault(c => c.StartsWith(name + "=", StringComparison.Ordinal));
            Assert.True(cookie is not null, $"no {name} cookie in {string.Join(" | ", reply.SetCookies)}");
            var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
            Assert.Contains("httponly", attributes);
            Assert.Contains("samesite=strict", attributes);
            Assert.Contains("path=/", attributes);
            Assert.True(expectSecure == attributes.Contains("secure"), $"{name}: {cookie}");

            // Session cookies: they end with the browser, and the server ends them sooner when idle.
            Assert.DoesNotContain(attributes, a => a.StartsWith("expires=", StringComparison.Ordinal) || a.StartsWith("max-age=", StringComparison.Ordinal));
        }
    }
}

/// <summary>Two-factor sign-in: required for owners and admins (or everyone, when configured), never changeable by a token.</summary>
public sealed class TwoFactorTests(OwnedServer server) : IClassFixture<OwnedServer>, IAsyncLifetime
{
    private readonly WardHost _host = server.Host;
    private ApiClient _owner = null!;

    public async ValueTask InitializeAsync() => _owner = await server.OwnerAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task An_admin_must_enrol_a_second_factor_before_anything_else_and_use_it_after()
    {
        await WardHost.GrantAsync(_owner, await WardHost.CreateUserAsync(_owner, "newadmin"), "admin");
        using var client = _host.Anonymous();
        var signIn = await client.PostAsync("/api/v1/session", new { userName = "newadmin", password = WardHost.Password }).Expect(200);
        Assert.Equal("enroll", signIn.Json!["stage"]!.GetValue<string>());
        var session = await client.RefreshCsrfAsync();
        Assert.False(session["signedIn"]!.GetValue<bool>());
        Assert.True(session["enrolling"]!.GetValue<bool>());

        // A session that still has to enrol may do nothing else.
        await client.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
        await client.GetAsync("/api/v1/users").Expect(401, "unauthenticated");
        await client.PostAsync("/api/v1/tokens", new { name = "sneaky", role = "admin" }).Expect(401, "unauthenticated");

        var enrolment = await client.PostAsync("/api/v1/session/totp").Expect(200);
        var secret = enrolment.Json!["secret"]!.GetValue<string>();
        Assert.StartsWith("otpauth://totp/Ward:newadmin?secret=" + secret, enrolment.Json["uri"]!.GetValue<string>(), StringComparison.Ordinal);
        var wrong = Totp.Code(secret, DateTimeOffset.UtcNow.AddMinutes(5));
        await client.PostAsync("/api/v1/session/totp/confirm", new { code = wrong }).Expect(400, "invalid_two_factor");
        await client.GetAsync("/api/v1/users").Expect(401, "unauthenticated");
        await client.PostAsync("/api/v1/session/totp/confirm", new { code = await _host.NextCodeAsync(secret) }).Expect(200);
        await client.GetAsync("/api/v1/users").Expect(200);

        // From now on the password alone is not enough.
        using var again = _host.Anonymous();
        await again.PostAsync("/api/v1/session", new { userName = "newadmin", password = WardHost.Password }).Expect(401, "two_factor_required");
        await again.PostAsync("/api/v1/session", new { userName = "newadmin", password = WardHost.Password, code = wrong }).Expect(401, "invalid_two_factor");
        await again.GetAsync("/api/v1/users").Expect(401, "unauthenticated");
        var full = await again.PostAsync("/api/v1/session", new { userName = "newadmin", password = WardHost.Password, code = await _host.NextCodeAsync(secret) }).Expect(200);
        Assert.Equal("full", full.Json!["stage"]!.GetValue<string>());
        await again.GetAsync("/api/v1/users").Expect(200);

        // The secret is stored encrypted, never as given.
        await using var db = _host.Store.CreateContext();
        var stored = await db.Users.AsNoTracking().SingleAsync(u => u.UserName == "newadmin", TestContext.Current.CancellationToken);
        Assert.True(stored.TotpEnabled);
        Assert.DoesNotContain(secret, stored.TotpSecret!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_signs_in_with_the_password_alone_unless_everyone_needs_two_factors()
    {
        await WardHost.GrantAsync(_owner, await WardHost.CreateUserAsync(_owner, "reader"), "viewer");
        using var client = _host.Anonymous();
        var signIn = await client.PostAsync("/api/v1/session", new { userName = "reader", password = WardHost.Password }).Expect(200);
        Assert.Equal("full", signIn.Json!["stage"]!.GetValue<string>());

        await using var strict = await WardHost.StartAsync(new HostOptions { Settings = ["--Ward:RequireTwoFactorForAll=true"] });
        var owner = await strict.CreateOwnerAsync();
        await WardHost.GrantAsync(owner, await WardHost.CreateUserAsync(owner, "reader"), "viewer");
        using var strictClient = strict.Anonymous();
        var enrol = await strictClient.PostAsync("/api/v1/session", new { userName = "reader", password = WardHost.Password }).Expect(200);
        Assert.Equal("enroll", enrol.Json!["stage"]!.GetValue<string>());
        await strictClient.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
    }

    [Fact]
    public async Task An_api_token_can_neither_reset_two_factor_nor_become_a_session()
    {
        var admin = await _host.UserWithRoleAsync(_owner, "tokenadmin", "admin");
        var token = await WardHost.CreateTokenAsync(admin, "viewer");
        using var client = _host.WithToken(token);
        var started = await client.PostAsync("/api/v1/session/totp").Expect(403, "forbidden");
        var confirmed = await client.PostAsync("/api/v1/session/totp/confirm", new { code = Totp.Code(admin.TotpSecret!, DateTimeOffset.UtcNow) }).Expect(403, "forbidden");
        Assert.DoesNotContain(started.SetCookies.Concat(confirmed.SetCookies), c => c.StartsWith("ward.session=", StringComparison.Ordinal));

        // The admin's second factor is untouched: signing in needs the same code as before.
        using var again = _host.Anonymous();
        await again.PostAsync("/api/v1/session", new { userName = "tokenadmin", password = WardHost.Password }).Expect(401, "two_factor_required");
        await again.PostAsync("/api/v1/session", new { userName = "tokenadmin", password = WardHost.Password, code = await _host.NextCodeAsync(admin.TotpSecret!) }).Expect(200);
    }
}

/// <summary>API tokens: shown once, stored as a hash, and cut off with their user.</summary>
public sealed class TokenTests(OwnedServer server) : IClassFixture<OwnedServer>, IAsyncLifetime
{
    private readonly WardHost _host = server.Host;
    private ApiClient _owner = null!;

    public async ValueTask InitializeAsync() => _owner = await server.OwnerAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_token_is_shown_once_and_stored_only_as_its_hash()
    {
        var created = await _owner.PostAsync("/api/v1/tokens", new { name = "ci", role = "deployer", expiresInDays = 30 }).Expect(201);
        var token = created.Json!["token"]!.GetValue<string>();
        Assert.StartsWith("ward_", token, StringComparison.Ordinal);
        Assert.True(token.Length >= 40, token);
        Assert.Equal(token[..12], created.Json["prefix"]!.GetValue<string>());

        // Listed by its prefix, never again in full.
        var listed = await _owner.GetAsync("/api/v1/tokens").Expect(200);
        Assert.Contains(token[..12], listed.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(token, listed.Body, StringComparison.Ordinal);

        await using (var db = _host.Store.CreateContext())
        {
            var id = created.Json["id"]!.GetValue<Guid>();
            var stored = await db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == id, TestContext.Current.CancellationToken);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), stored.Hash);
            Assert.Equal(token[..12], stored.Prefix);
            Assert.DoesNotContain(token, JsonSerializer.Serialize(stored), StringComparison.Ordinal);
            var audit = await db.Audit.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
            Assert.Contains(audit, e => e.Action == "token-created");
            Assert.DoesNotContain(audit, e => JsonSerializer.Serialize(e).Contains(token, StringComparison.Ordinal));
        }

        using var client = _host.WithToken(token);
        Assert.Null(created.Json["lastUsedAt"]);
        await client.GetAsync("/api/v1/environments").Expect(200);

        // Its list entry says when it was last used.
        var used = (await _owner.GetAsync("/api/v1/tokens").Expect(200)).Json!.AsArray().Single(t => t!["prefix"]!.GetValue<string>() == token[..12])!;
        Assert.NotNull(used["lastUsedAt"]);
        Assert.True(used["lastUsedAt"]!.GetValue<DateTimeOffset>() >= used["createdAt"]!.GetValue<DateTimeOffset>());

        // Longer than the server allows: refused.
        await _owner.PostAsync("/api/v1/tokens", new { name = "forever", role = "viewer", expiresInDays = 4000 }).Expect(400, "token_lifetime");
    }

    [Fact]
    public async Task Disabling_a_user_ends_their_sessions_and_tokens_at_once()
    {
        var deployer = await _host.UserWithRoleAsync(_owner, "leaver", "deployer");
        var token = await WardHost.CreateTokenAsync(deployer, "deployer");
        using var tokenClient = _host.WithToken(token);
        await deployer.GetAsync("/api/v1/environments").Expect(200);
        await tokenClient.GetAsync("/api/v1/environments").Expect(200);

        var id = (await _owner.GetAsync("/api/v1/users").Expect(200)).Json!.AsArray().Single(u => u!["userName"]!.GetValue<string>() == "leaver")!["id"]!.GetValue<Guid>();
        await _owner.PutAsync($"/api/v1/users/{id}", new { disabled = true, version = await WardHost.UserVersionAsync(_owner, id) }).Expect(200);

        await deployer.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
        await tokenClient.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
        await _host.Anonymous().PostAsync("/api/v1/session", new { userName = "leaver", password = WardHost.Password }).Expect(401, "invalid_credentials");
    }
}
