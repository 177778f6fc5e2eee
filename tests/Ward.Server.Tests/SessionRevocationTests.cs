using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// Sessions live in the store: signing out, a password change, a change of second factor, a change of roles and
/// disabling the user end them, whoever holds a copy of the cookie. API tokens are separate credentials and keep working
/// through a password change.
/// </summary>
public sealed class SessionRevocationTests(OwnedServer server) : IClassFixture<OwnedServer>, IAsyncLifetime
{
    private readonly WardHost _host = server.Host;
    private ApiClient _owner = null!;

    public async ValueTask InitializeAsync() => _owner = await server.OwnerAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Signing_out_ends_the_session_for_every_copy_of_its_cookie()
    {
        var viewer = await _host.UserWithRoleAsync(_owner, "leaving", "viewer");
        using var copy = viewer.Clone();
        await copy.GetAsync("/api/v1/environments").Expect(200);

        await viewer.DeleteAsync("/api/v1/session").Expect(204);

        await copy.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
        Assert.False((await copy.GetAsync("/api/v1/session").Expect(200)).Json!["signedIn"]!.GetValue<bool>());
        await copy.PostAsync("/api/v1/tokens", new { name = "after sign-out", role = "viewer" }).Expect(401, "unauthenticated");
    }

    [Fact]
    public async Task A_password_change_ends_the_users_sessions_but_not_their_tokens()
    {
        var deployer = await _host.UserWithRoleAsync(_owner, "renewed", "deployer");
        var token = await WardHost.CreateTokenAsync(deployer, "viewer");
        var id = await UserIdAsync("renewed");
        await _owner.PutAsync($"/api/v1/users/{id}", new { password = "a brand new password", version = await WardHost.UserVersionAsync(_owner, id) }).Expect(200);

        // The old cookie can neither read nor mint a token that would outlive the change.
        await deployer.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
        await deployer.PostAsync("/api/v1/tokens", new { name = "keep me in", role = "deployer", expiresInDays = 90 }).Expect(401, "unauthenticated");

        // Tokens are separate credentials, revoked one by one (or by disabling the user).
        using var tokenClient = _host.WithToken(token);
        await tokenClient.GetAsync("/api/v1/environments").Expect(200);
        await _host.SignInAsync("renewed", "a brand new password");
    }

    [Fact]
    public async Task A_role_change_ends_the_users_sessions()
    {
        var viewer = await _host.UserWithRoleAsync(_owner, "promoted", "viewer");
        var id = await UserIdAsync("promoted");
        await WardHost.GrantAsync(_owner, id, "deployer", "alpha");
        await viewer.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");

        var again = await _host.SignInAsync("promoted", WardHost.Password);
        var grantId = (await _owner.GetAsync("/api/v1/users").Expect(200)).Json!.AsArray().Single(u => u!["userName"]!.GetValue<string>() == "promoted")!["grants"]!
            .AsArray().Single(g => g!["role"]!.GetValue<string>() == "deployer")!["id"]!.GetValue<Guid>();
        await _owner.DeleteAsync($"/api/v1/users/{id}/grants/{grantId}?version={await WardHost.UserVersionAsync(_owner, id)}").Expect(204);
        await again.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
    }

    [Fact]
    public async Task A_change_of_second_factor_ends_the_users_other_sessions()
    {
        var admin = await _host.UserWithRoleAsync(_owner, "rekeyed", "admin");
        var elsewhere = await _host.SignInAsync("rekeyed", WardHost.Password, totpSecret: admin.TotpSecret);
        await elsewhere.GetAsync("/api/v1/users").Expect(200);

        var secret = (await admin.PostAsync("/api/v1/session/totp", new { code = await _host.NextCodeAsync(admin.TotpSecret!) }).Expect(200)).Json!["secret"]!.GetValue<string>();
        await admin.PostAsync("/api/v1/session/totp/confirm", new { code = await _host.NextCodeAsync(secret) }).Expect(200);

        await elsewhere.GetAsync("/api/v1/users").Expect(401, "unauthenticated");
        await admin.RefreshCsrfAsync();
        await admin.GetAsync("/api/v1/users").Expect(200);
    }

    private async Task<Guid> UserIdAsync(string userName) =>
        (await _owner.GetAsync("/api/v1/users").Expect(200)).Json!.AsArray().Single(u => u!["userName"]!.GetValue<string>() == userName)!["id"]!.GetValue<Guid>();
}
