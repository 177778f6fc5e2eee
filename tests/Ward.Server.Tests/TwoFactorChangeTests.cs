using Microsoft.EntityFrameworkCore;
using Ward.Server.Auth;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// A second factor that is in use stays in use until its replacement is proven: a new enrolment needs the current
/// factor (or a recovery code) and changes nothing until it is confirmed; codes are single-use; recovery codes are shown
/// once, stored hashed and work once each.
/// </summary>
public sealed class TwoFactorChangeTests(OwnedServer server) : IClassFixture<OwnedServer>, IAsyncLifetime
{
    private readonly WardHost _host = server.Host;
    private ApiClient _owner = null!;

    public async ValueTask InitializeAsync() => _owner = await server.OwnerAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Starting_a_new_enrolment_keeps_the_working_factor_until_the_new_one_is_confirmed()
    {
        // Finding 1: an admin signed in with TOTP starts an enrolment and does not confirm it.
        var admin = await _host.UserWithRoleAsync(_owner, "reenrol", "admin");
        var oldSecret = admin.TotpSecret!;
        await admin.PostAsync("/api/v1/session/totp").Expect(403, "current_factor_required");
        await admin.PostAsync("/api/v1/session/totp", new { code = "123456" }).Expect(403, "current_factor_required");

        // The password alone is still not enough: no one can enrol their own authenticator with it.
        using (var thief = _host.Anonymous())
        {
            await thief.PostAsync("/api/v1/session", new { userName = "reenrol", password = WardHost.Password }).Expect(401, "two_factor_required");
        }

        // With the current code, an enrolment starts; until it is confirmed the old factor is the one that counts.
        var started = await admin.PostAsync("/api/v1/session/totp", new { code = await _host.NextCodeAsync(oldSecret) }).Expect(200);
        var newSecret = started.Json!["secret"]!.GetValue<string>();
        Assert.NotEqual(oldSecret, newSecret);
        using (var thief = _host.Anonymous())
        {
            var answer = await thief.PostAsync("/api/v1/session", new { userName = "reenrol", password = WardHost.Password }).Expect(401, "two_factor_required");
            Assert.DoesNotContain("enroll", answer.Body, StringComparison.Ordinal);
            await thief.PostAsync("/api/v1/session", new { userName = "reenrol", password = WardHost.Password, code = await _host.NextCodeAsync(newSecret) }).Expect(401, "invalid_two_factor");
        }

        await _host.SignInAsync("reenrol", WardHost.Password, totpSecret: oldSecret);

        // Confirming with a code of the new secret switches over: the old secret's codes stop working.
        await admin.RefreshCsrfAsync();
        await admin.PostAsync("/api/v1/session/totp/confirm", new { code = await _host.NextCodeAsync(newSecret) }).Expect(200);
        using var later = _host.Anonymous();
        await later.PostAsync("/api/v1/session", new { userName = "reenrol", password = WardHost.Password, code = await _host.NextCodeAsync(oldSecret) }).Expect(401, "invalid_two_factor");
        await _host.SignInAsync("reenrol", WardHost.Password, totpSecret: newSecret);
    }

    [Fact]
    public async Task A_totp_code_signs_in_once()
    {
        // Finding 8: the same code again, within its window, is refused.
        var admin = await _host.UserWithRoleAsync(_owner, "replay", "admin");
        var code = await _host.NextCodeAsync(admin.TotpSecret!);
        using var first = _host.Anonymous();
        await first.PostAsync("/api/v1/session", new { userName = "replay", password = WardHost.Password, code }).Expect(200);
        using var second = _host.Anonymous();
        await second.PostAsync("/api/v1/session", new { userName = "replay", password = WardHost.Password, code }).Expect(401, "invalid_two_factor");

        // An earlier step's code is refused as well once a later one was used.
        var earlier = Totp.Code(admin.TotpSecret!, _host.Clock.GetUtcNow().AddSeconds(-30));
        await second.PostAsync("/api/v1/session", new { userName = "replay", password = WardHost.Password, code = earlier }).Expect(401, "invalid_two_factor");

        // The next code works.
        await second.PostAsync("/api/v1/session", new { userName = "replay", password = WardHost.Password, code = await _host.NextCodeAsync(admin.TotpSecret!) }).Expect(200);
    }

    [Fact]
    public async Task The_code_that_confirms_an_enrolment_cannot_sign_in_again()
    {
        await WardHost.GrantAsync(_owner, await WardHost.CreateUserAsync(_owner, "confirmer"), "admin");
        using var client = _host.Anonymous();
        await client.PostAsync("/api/v1/session", new { userName = "confirmer", password = WardHost.Password }).Expect(200);
        await client.RefreshCsrfAsync();
        var secret = (await client.PostAsync("/api/v1/session/totp").Expect(200)).Json!["secret"]!.GetValue<string>();
        var code = await _host.NextCodeAsync(secret);
        await client.PostAsync("/api/v1/session/totp/confirm", new { code }).Expect(200);
        using var again = _host.Anonymous();
        await again.PostAsync("/api/v1/session", new { userName = "confirmer", password = WardHost.Password, code }).Expect(401, "invalid_two_factor");
    }

    [Fact]
    public async Task Recovery_codes_are_shown_once_stored_hashed_and_each_signs_in_once()
    {
        var admin = await _host.UserWithRoleAsync(_owner, "recoverer", "admin");
        var codes = admin.RecoveryCodes;
        Assert.Equal(10, codes.Count);
        Assert.Equal(10, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, c => Assert.Matches("^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$", c));

        // Nowhere to read them again: not in the session, the user list, the audit log or the store's files.
        var session = await admin.GetAsync("/api/v1/session").Expect(200);
        var users = await _owner.GetAsync("/api/v1/users").Expect(200);
        var audit = await _owner.GetAsync("/api/v1/audit/export").Expect(200);
        var files = string.Join("\n", await Task.WhenAll(Directory.EnumerateFiles(_host.DataDirectory, "ward.db*").Select(StoreFiles.ReadAsync)));
        foreach (var code in codes)
        {
            foreach (var (where, text) in new[] { ("session", session.Body), ("users", users.Body), ("audit", audit.Body), ("store", files) })
            {
                Assert.False(text.Contains(code, StringComparison.Ordinal) || text.Contains(code.Replace("-", "", StringComparison.Ordinal), StringComparison.Ordinal), $"the {where} holds a recovery code");
            }
        }

        // A recovery code instead of the authenticator's code signs in, once.
        using var phoneLost = _host.Anonymous();
        var signedIn = await phoneLost.PostAsync("/api/v1/session", new { userName = "recoverer", password = WardHost.Password, recoveryCode = codes[0].ToLowerInvariant() }).Expect(200);
        Assert.Equal(9, signedIn.Json!["recoveryCodesLeft"]!.GetValue<int>());
        using var replay = _host.Anonymous();
        await replay.PostAsync("/api/v1/session", new { userName = "recoverer", password = WardHost.Password, recoveryCode = codes[0] }).Expect(401, "invalid_two_factor");
        await replay.PostAsync("/api/v1/session", new { userName = "recoverer", password = WardHost.Password, recoveryCode = "AAAA-BBBB-CCCC-DDDD" }).Expect(401, "invalid_two_factor");

        // With the phone gone, a second recovery code lets them enrol a new authenticator; the new enrolment's
        // confirmation gives a fresh set and the old set stops working.
        await phoneLost.RefreshCsrfAsync();
        var secret = (await phoneLost.PostAsync("/api/v1/session/totp", new { recoveryCode = codes[1] }).Expect(200)).Json!["secret"]!.GetValue<string>();
        var confirmed = await phoneLost.PostAsync("/api/v1/session/totp/confirm", new { code = await _host.NextCodeAsync(secret) }).Expect(200);
        var fresh = confirmed.Json!["recoveryCodes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal(10, fresh.Count);
        Assert.Empty(fresh.Intersect(codes));
        await replay.PostAsync("/api/v1/session", new { userName = "recoverer", password = WardHost.Password, recoveryCode = codes[2] }).Expect(401, "invalid_two_factor");
        await replay.PostAsync("/api/v1/session", new { userName = "recoverer", password = WardHost.Password, recoveryCode = fresh[0] }).Expect(200);
    }

    [Fact]
    public async Task An_admin_resets_a_lost_second_factor_and_the_users_sessions_end()
    {
        await _host.UserWithRoleAsync(_owner, "lostphone", "deployer");
        var id = (await _owner.GetAsync("/api/v1/users").Expect(200)).Json!.AsArray().Single(u => u!["userName"]!.GetValue<string>() == "lostphone")!["id"]!.GetValue<Guid>();
        var admin = await _host.UserWithRoleAsync(_owner, "helpdesk", "admin");
        await WardHost.GrantAsync(_owner, id, "admin");
        var lost = await _host.SignInAsync("lostphone", WardHost.Password);
        Assert.NotNull(lost.TotpSecret);

        await admin.PutAsync($"/api/v1/users/{id}", new { resetTwoFactor = true, version = await WardHost.UserVersionAsync(admin, id) }).Expect(200);
        await lost.GetAsync("/api/v1/users").Expect(401, "unauthenticated");

        // Their next sign-in enrols a new authenticator, as at the first one.
        using var again = _host.Anonymous();
        Assert.Equal("enroll", (await again.PostAsync("/api/v1/session", new { userName = "lostphone", password = WardHost.Password }).Expect(200)).Json!["stage"]!.GetValue<string>());

        // An admin cannot reset an owner's.
        var ownerId = (await _owner.GetAsync("/api/v1/users").Expect(200)).Json!.AsArray().Single(u => u!["userName"]!.GetValue<string>() == "owner")!["id"]!.GetValue<Guid>();
        await admin.PutAsync($"/api/v1/users/{ownerId}", new { resetTwoFactor = true, version = await WardHost.UserVersionAsync(admin, ownerId) }).Expect(403, "forbidden");
    }

    [Fact]
    public async Task The_way_back_for_a_sole_owner_who_lost_both_factors_is_the_statement_in_docs_security()
    {
        // docs/security.md gives this statement, run against the store by whoever runs the server.
        var statement = File.ReadAllText(Repository.PathOf("docs", "security.md"));
        var sql = System.Text.RegularExpressions.Regex.Match(statement, "```sql\n(?<sql>.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline).Groups["sql"].Value;
        Assert.Contains("UPDATE \"Users\"", sql, StringComparison.Ordinal);

        await using var host = await WardHost.StartAsync();
        var owner = await host.CreateOwnerAsync("soleowner");
        await using (var db = host.Store.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync(sql.Replace("'owner'", "'soleowner'", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        }

        await owner.GetAsync("/api/v1/users").Expect(401, "unauthenticated");
        using var again = host.Anonymous();
        Assert.Equal("enroll", (await again.PostAsync("/api/v1/session", new { userName = "soleowner", password = WardHost.Password }).Expect(200)).Json!["stage"]!.GetValue<string>());
    }
}
