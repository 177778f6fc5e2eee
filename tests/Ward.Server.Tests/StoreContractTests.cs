using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Ward.Server.Auth;
using Ward.Server.Tests.Support;
using Ward.Store;
using Ward.Store.Audit;
using Ward.Store.Entities;

namespace Ward.Server.Tests;

/// <summary>The store-facing suite on SQLite.</summary>
public sealed class SqliteStoreTests(SqliteStores stores) : StoreContractTests(stores), IClassFixture<SqliteStores>;

/// <summary>
/// The same suite on PostgreSQL (the server scripts/start-test-services.sh starts). When it is not reachable these tests
/// fail, saying so; they are never skipped.
/// </summary>
public sealed class PostgresStoreTests(PostgresStores stores) : StoreContractTests(stores), IClassFixture<PostgresStores>;

/// <summary>
/// What the server needs from its store, run against each store: migrations on an empty database, versions that
/// refuse stale updates with 409, the audit log's hash chain and its tamper detection, and users, grants, tokens and
/// sessions that survive a restart.
/// </summary>
public abstract class StoreContractTests(StoreFixture stores) : IAsyncLifetime
{
    private WardHost _host = null!;
    private StoreTarget _store = null!;
    private ApiClient _owner = null!;
    private List<AuditEntry>? _untampered;

    private WardHost Host => _host;

    /// <summary>
    /// The tests share one server per store (with an owner); each uses names of its own, and a test that tampers with
    /// the audit log puts it back as it was.
    /// </summary>
    public async ValueTask InitializeAsync()
    {
        var shared = await stores.SharedAsync();
        (_host, _owner, _store) = (shared.Host, shared.Owner, shared.Store);
        Assert.Equal(stores.Provider, Host.Store.Provider);
    }

    public async ValueTask DisposeAsync()
    {
        if (_untampered is not null)
        {
            await using var db = Host.Store.CreateContext();
            await db.Audit.ExecuteDeleteAsync();
            db.Audit.AddRange(_untampered);
            await db.SaveChangesAsync();
            Assert.True((await AuditChain.VerifyAsync(Host.Store, CancellationToken.None)).Intact, "the audit log could not be put back");
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Migrations_apply_cleanly_to_an_empty_store_and_match_the_model()
    {
        var (store, data) = await stores.CreateAsync();
        var options = store.Options(data);
        await options.MigrateAsync(TestContext.Current.CancellationToken);
        await using (var db = options.CreateContext())
        {
            var all = db.Database.GetMigrations().ToList();
            Assert.NotEmpty(all);
            Assert.Equal(all, await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
            Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration makes: add a migration for both providers");

            // Every table is there and empty.
            Assert.Equal(0, await db.Users.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await db.RoleGrants.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await db.ApiTokens.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await db.Environments.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await db.Secrets.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await db.Operations.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await db.Audit.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await db.DataProtectionKeys.CountAsync(TestContext.Current.CancellationToken));
        }

        // A second migration is a no-op, and a server on the store opens first-run setup.
        await options.MigrateAsync(TestContext.Current.CancellationToken);
        await using var host = await WardHost.StartAsync(new HostOptions { Store = store, DataDirectory = data });
        var setup = await host.Anonymous().GetAsync("/api/v1/setup").Expect(200);
        Assert.True(setup.Json!["needed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_store_set_up_by_an_earlier_version_offers_no_setup_after_the_upgrade()
    {
        // Setup is decided by the store's installation row, which came with the AccountSecurity migration: a store that
        // had users before it gets the row from the migration, so no replica offers setup (and a second owner) again.
        var (store, data) = await stores.CreateAsync();
        var options = store.Options(data);
        await using (var db = options.CreateContext())
        {
            var migrations = db.Database.GetMigrations().ToList();
            var before = migrations[migrations.FindIndex(m => m.EndsWith("_AccountSecurity", StringComparison.Ordinal)) - 1];
            await db.Database.GetService<IMigrator>().MigrateAsync(before, TestContext.Current.CancellationToken);
            var sqlite = options.Provider == "sqlite";
            object id = sqlite ? Guid.NewGuid().ToString().ToUpperInvariant() : Guid.NewGuid();
            object createdAt = sqlite ? new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter().ConvertToProvider(DateTimeOffset.UtcNow)! : DateTimeOffset.UtcNow;
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO "Users" ("Id", "UserName", "DisplayName", "PasswordHash", "TotpEnabled", "FailedSignIns", "Disabled", "CreatedAt", "Version")
                VALUES ({0}, 'earlier', 'earlier', 'pbkdf2-sha512$1$AA==$AA==', FALSE, 0, FALSE, {1}, 1)
                """,
                [id, createdAt],
                TestContext.Current.CancellationToken);
        }

        await options.MigrateAsync(TestContext.Current.CancellationToken);
        await using (var db = options.CreateContext())
        {
            var installation = await db.Installation.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken);
            Assert.Equal(Installation.TheOnly, installation.Id);
            Assert.Equal((await db.Users.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken)).Id, installation.OwnerId);
        }

        await using var host = await WardHost.StartAsync(new HostOptions { Store = store, DataDirectory = data });
        Assert.False((await host.Anonymous().GetAsync("/api/v1/setup").Expect(200)).Json!["needed"]!.GetValue<bool>());
        Assert.Null(host.App.Services.GetRequiredService<Ward.Server.Services.SetupState>().Code);
    }

    [Fact]
    public async Task The_store_refuses_a_save_at_a_stale_version_and_bumps_the_version_on_each_save()
    {
        var userId = await WardHost.CreateUserAsync(_owner, Unique("racer"));
        await using var first = Host.Store.CreateContext();
        await using var second = Host.Store.CreateContext();
        var a = await first.Users.SingleAsync(u => u.Id == userId, TestContext.Current.CancellationToken);
        var b = await second.Users.SingleAsync(u => u.Id == userId, TestContext.Current.CancellationToken);
        var version = a.Version;
        a.DisplayName = "first";
        await first.SaveChangesAsync(TestContext.Current.CancellationToken);
        Assert.Equal(version + 1, a.Version);

        b.DisplayName = "second";
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync(TestContext.Current.CancellationToken));
        await using var check = Host.Store.CreateContext();
        var stored = await check.Users.AsNoTracking().SingleAsync(u => u.Id == userId, TestContext.Current.CancellationToken);
        Assert.Equal(("first", version + 1), (stored.DisplayName, stored.Version));
    }

    [Fact]
    public async Task An_environment_file_update_with_a_stale_version_is_409_and_changes_nothing()
    {
        var name = await NewEnvironmentAsync();
        var read = (await _owner.GetAsync($"/api/v1/environments/{name}").Expect(200)).Json!;
        var version = read["version"]!.GetValue<long>();
        var changed = Environments.File(name, image: "registry.example.org/web:2.0");
        var updated = await _owner.PutAsync($"/api/v1/environments/{name}", new { content = changed, version }).Expect(200);
        Assert.Equal(version + 1, updated.Json!["version"]!.GetValue<long>());

        var stale = await _owner.PutAsync($"/api/v1/environments/{name}", new { content = Environments.File(name, image: "registry.example.org/web:3.0"), version });
        ExpectStale(stale);
        var now = (await _owner.GetAsync($"/api/v1/environments/{name}").Expect(200)).Json!;
        Assert.Equal(changed, now["content"]!.GetValue<string>());
        Assert.Equal(version + 1, now["version"]!.GetValue<long>());

        // Removing at a stale version is refused too; at the current one it goes through.
        ExpectStale(await _owner.DeleteAsync($"/api/v1/environments/{name}?version={version}"));
        await _owner.GetAsync($"/api/v1/environments/{name}").Expect(200);
        await _owner.DeleteAsync($"/api/v1/environments/{name}?version={version + 1}").Expect(204);
        await _owner.GetAsync($"/api/v1/environments/{name}").Expect(404, "environment_not_found");
    }

    [Fact]
    public async Task A_user_update_with_a_stale_version_is_409_and_changes_nothing()
    {
        var id = await WardHost.CreateUserAsync(_owner, Unique("edited"));
        var version = await WardHost.UserVersionAsync(_owner, id);
        var updated = await _owner.PutAsync($"/api/v1/users/{id}", new { displayName = "First Name", version }).Expect(200);
        Assert.Equal(version + 1, updated.Json!["version"]!.GetValue<long>());

        ExpectStale(await _owner.PutAsync($"/api/v1/users/{id}", new { displayName = "Lost Update", disabled = true, version }));
        var user = await UserAsync(id);
        Assert.Equal("First Name", user["displayName"]!.GetValue<string>());
        Assert.False(user["disabled"]!.GetValue<bool>());
        Assert.Equal(version + 1, user["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Grants_carry_the_users_version_and_a_stale_one_is_409_and_changes_nothing()
    {
        var id = await WardHost.CreateUserAsync(_owner, Unique("granted"));
        var version = await WardHost.UserVersionAsync(_owner, id);
        var granted = await _owner.PostAsync($"/api/v1/users/{id}/grants", new { role = "viewer", environment = "alpha", version }).Expect(201);
        var grantId = granted.Json!["id"]!.GetValue<Guid>();
        Assert.Equal(version + 1, await WardHost.UserVersionAsync(_owner, id));

        // Another admin read the user before that grant: both their grant and their revoke are refused.
        ExpectStale(await _owner.PostAsync($"/api/v1/users/{id}/grants", new { role = "deployer", environment = (string?)null, version }));
        ExpectStale(await _owner.DeleteAsync($"/api/v1/users/{id}/grants/{grantId}?version={version}"));
        var grants = (await UserAsync(id))["grants"]!.AsArray();
        Assert.Equal([("viewer", "alpha")], grants.Select(g => (g!["role"]!.GetValue<string>(), g["environment"]?.GetValue<string>())));

        await _owner.DeleteAsync($"/api/v1/users/{id}/grants/{grantId}?version={version + 1}").Expect(204);
        Assert.Empty((await UserAsync(id))["grants"]!.AsArray());
        Assert.Equal(version + 2, await WardHost.UserVersionAsync(_owner, id));
    }

    [Fact]
    public async Task A_secret_rotation_with_a_stale_version_is_409_and_keeps_the_value()
    {
        var name = await NewEnvironmentAsync();
        var first = await _owner.PutAsync($"/api/v1/environments/{name}/secrets/token", new { value = "first value" }).Expect(200);
        var version = first.Json!["version"]!.GetValue<long>();
        await _owner.PutAsync($"/api/v1/environments/{name}/secrets/token", new { value = "second value", version }).Expect(200);
        ExpectStale(await _owner.PutAsync($"/api/v1/environments/{name}/secrets/token", new { value = "lost value", version }));
        await using var db = Host.Store.CreateContext();
        var stored = await db.Secrets.AsNoTracking().SingleAsync(s => s.Environment == name && s.Key == "token", TestContext.Current.CancellationToken);
        var vault = Host.App.Services.GetRequiredService<Ward.Server.Services.SecretVault>();
        Assert.Equal(vault.Fingerprint("second value"), stored.ContentHash);
        Assert.Equal(version + 1, stored.Version);

        // Claiming to have read a secret that was never set is stale as well.
        ExpectStale(await _owner.PutAsync($"/api/v1/environments/{name}/secrets/other", new { value = "x", version = 3 }));
    }

    [Fact]
    public async Task The_audit_chain_of_entries_written_through_the_api_is_intact()
    {
        await WriteAuditEntriesAsync();
        var result = await AuditChain.VerifyAsync(Host.Store, TestContext.Current.CancellationToken);
        var entries = await EntriesAsync();
        Assert.True(result.Intact, string.Join("\n", result.Problems));
        Assert.Equal(entries.Count, result.Entries);
        Assert.Equal(entries[^1].Hash, result.HeadHash);
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));

        var api = (await _owner.GetAsync("/api/v1/audit/verify").Expect(200)).Json!;
        Assert.True(api["intact"]!.GetValue<bool>());
        Assert.Equal(result.HeadHash, api["headHash"]!.GetValue<string>());
        Assert.Equal(result.Entries, api["entries"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_edited_entry_is_reported_by_its_number()
    {
        await WriteAuditEntriesAsync();
        await KeepUntamperedAsync();
        await using (var db = Host.Store.CreateContext())
        {
            var entry = await db.Audit.SingleAsync(e => e.Sequence == 3, TestContext.Current.CancellationToken);
            entry.Target = "environment covered-up";
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var problems = await BrokenAsync();
        Assert.Single(problems);
        Assert.Contains("entry 3 ", problems[0], StringComparison.Ordinal);
        Assert.Contains("changed", problems[0], StringComparison.Ordinal);

        // The API and the CLI say the same.
        var api = (await _owner.GetAsync("/api/v1/audit/verify").Expect(200)).Json!;
        Assert.False(api["intact"]!.GetValue<bool>());
        Assert.Contains("entry 3 ", api["problems"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var cli = await WardProcess.RunAsync(["audit", "verify", .. WardCli.StoreArguments(_store, Host.DataDirectory)]);
        Assert.True(cli.ExitCode == 1 && cli.Stdout.Contains("entry 3 ", StringComparison.Ordinal), cli.ToString());
    }

    [Fact]
    public async Task An_edited_entry_with_its_own_hash_recomputed_breaks_the_link_to_the_next()
    {
        await WriteAuditEntriesAsync();
        await KeepUntamperedAsync();
        await using (var db = Host.Store.CreateContext())
        {
            var entry = await db.Audit.SingleAsync(e => e.Sequence == 3, TestContext.Current.CancellationToken);
            entry.Actor = "someone else";
            entry.Hash = AuditChain.HashOf(entry);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var problems = await BrokenAsync();
        Assert.Single(problems);
        Assert.Contains("entry 4 does not follow", problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_entry_is_reported_by_its_number()
    {
        await WriteAuditEntriesAsync();
        await KeepUntamperedAsync();
        await using (var db = Host.Store.CreateContext())
        {
            Assert.Equal(1, await db.Audit.Where(e => e.Sequence == 3).ExecuteDeleteAsync(TestContext.Current.CancellationToken));
        }

        var problems = await BrokenAsync();
        Assert.Contains(problems, p => p.StartsWith("entry 3 is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("entry 4 does not follow", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_swapped_entries_are_reported_by_their_numbers()
    {
        await WriteAuditEntriesAsync();
        await KeepUntamperedAsync();
        await using (var db = Host.Store.CreateContext())
        {
            // Swap the rows at 3 and 4 through a free number (the sequence is the key).
            await db.Database.ExecuteSqlRawAsync("UPDATE \"Audit\" SET \"Sequence\" = -3 WHERE \"Sequence\" = 3", TestContext.Current.CancellationToken);
            await db.Database.ExecuteSqlRawAsync("UPDATE \"Audit\" SET \"Sequence\" = 3 WHERE \"Sequence\" = 4", TestContext.Current.CancellationToken);
            await db.Database.ExecuteSqlRawAsync("UPDATE \"Audit\" SET \"Sequence\" = 4 WHERE \"Sequence\" = -3", TestContext.Current.CancellationToken);
        }

        var problems = await BrokenAsync();
        Assert.Contains(problems, p => p.StartsWith("entry 3 ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("entry 4 ", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.StartsWith("entry 2 ", StringComparison.Ordinal) || p.StartsWith("entry 6 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Truncating_and_re_appending_the_rest_renumbered_is_reported_where_it_starts()
    {
        // Someone removes entry 3 and writes the rest back renumbered, so no number is missing.
        await WriteAuditEntriesAsync();
        await KeepUntamperedAsync();
        var entries = await EntriesAsync();
        await using (var db = Host.Store.CreateContext())
        {
            await db.Audit.ExecuteDeleteAsync(TestContext.Current.CancellationToken);
            var sequence = 0L;
            foreach (var entry in entries.Where(e => e.Sequence != 3))
            {
                entry.Sequence = ++sequence;
                db.Audit.Add(entry);
            }

            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var result = await AuditChain.VerifyAsync(Host.Store, TestContext.Current.CancellationToken);
        Assert.False(result.Intact);
        Assert.Equal(entries.Count - 1, result.Entries);
        Assert.Contains(result.Problems, p => p.StartsWith("entry 3 ", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Problems, p => p.StartsWith("entry 1 ", StringComparison.Ordinal) || p.StartsWith("entry 2 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Removing_the_newest_entries_is_caught_with_the_expected_head()
    {
        // The known limit: a chain cut at its end is still a valid chain. Only the head recorded earlier shows it.
        await WriteAuditEntriesAsync();
        await KeepUntamperedAsync();
        var before = await AuditChain.VerifyAsync(Host.Store, TestContext.Current.CancellationToken);
        Assert.True(before.Intact);
        await using (var db = Host.Store.CreateContext())
        {
            Assert.Equal(2, await db.Audit.Where(e => e.Sequence > before.Entries - 2).ExecuteDeleteAsync(TestContext.Current.CancellationToken));
        }

        var after = await AuditChain.VerifyAsync(Host.Store, TestContext.Current.CancellationToken);
        Assert.Equal(before.Entries - 2, after.Entries);
        Assert.NotEqual(before.HeadHash, after.HeadHash);

        var cli = await WardProcess.RunAsync(["audit", "verify", .. WardCli.StoreArguments(_store, Host.DataDirectory), "--expect-head", before.HeadHash]);
        Assert.True(cli.ExitCode == 1, cli.ToString());
        Assert.Contains($"the head is {after.HeadHash}, not the expected {before.HeadHash}", cli.Stdout, StringComparison.Ordinal);
        Assert.Contains("cut from the end", cli.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_grants_tokens_and_sessions_survive_a_restart()
    {
        var (store, data) = await stores.CreateAsync();
        var first = await WardHost.StartAsync(new HostOptions { Store = store, DataDirectory = data });
        ApiClient viewer;
        string token, revoked, ownerSecret;
        try
        {
            var owner = await first.CreateOwnerAsync();
            ownerSecret = owner.TotpSecret!;
            await WardHost.RegisterAsync(owner, Environments.File("alpha"));
            viewer = await first.UserWithRoleAsync(owner, "keeper", "deployer", "alpha");
            token = await WardHost.CreateTokenAsync(viewer, "viewer", "alpha");
            revoked = await WardHost.CreateTokenAsync(viewer, "viewer", "alpha");
            var revokedId = (await viewer.GetAsync("/api/v1/tokens").Expect(200)).Json!.AsArray()
                .Single(t => revoked.StartsWith(t!["prefix"]!.GetValue<string>(), StringComparison.Ordinal))!["id"]!.GetValue<Guid>();
            await viewer.DeleteAsync($"/api/v1/tokens/{revokedId}").Expect(204);
            await owner.PutAsync("/api/v1/environments/alpha/secrets/token", new { value = "kept across restarts" }).Expect(200);
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var host = await WardHost.StartAsync(new HostOptions { Store = store, DataDirectory = data });
        await RestartedAsync(host, viewer, token, revoked, ownerSecret);
    }

    private static async Task RestartedAsync(WardHost host, ApiClient viewer, string token, string revoked, string ownerSecret)
    {
        // No second setup.
        Assert.False((await host.Anonymous().GetAsync("/api/v1/setup").Expect(200)).Json!["needed"]!.GetValue<bool>());
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("setup code", StringComparison.Ordinal));

        // The session cookies from before still work: the key ring is in the store.
        using (var moved = new ApiClient(host.Url, host.Transcript, viewer.Cookies))
        {
            var session = (await moved.GetAsync("/api/v1/session").Expect(200)).Json!;
            Assert.True(session["signedIn"]!.GetValue<bool>(), session.ToJsonString());
            Assert.Equal([("deployer", "alpha")], session["grants"]!.AsArray().Select(g => (g!["role"]!.GetValue<string>(), g["environment"]?.GetValue<string>())));
        }

        // Tokens: the live one works within its scope, the revoked one does not.
        using (var live = host.WithToken(token))
        {
            await live.GetAsync("/api/v1/environments/alpha").Expect(200);
            await live.PostAsync("/api/v1/environments/alpha/plans", new { prune = false }).Expect(403, "forbidden");
        }

        using (var dead = host.WithToken(revoked))
        {
            await dead.GetAsync("/api/v1/environments/alpha").Expect(401, "unauthenticated");
        }

        // Passwords and the owner's second factor (stored encrypted with the key ring) still verify.
        var owner = await host.SignInAsync("owner", WardHost.Password, totpSecret: ownerSecret);
        Assert.Equal(ownerSecret, owner.TotpSecret);
        var users = (await owner.GetAsync("/api/v1/users").Expect(200)).Json!.AsArray();
        Assert.Equal(["keeper", "owner"], users.Select(u => u!["userName"]!.GetValue<string>()));
        var secrets = (await owner.GetAsync("/api/v1/environments/alpha/secrets").Expect(200)).Json!.AsArray();
        Assert.True(secrets.Single(s => s!["key"]!.GetValue<string>() == "token")!["set"]!.GetValue<bool>());

        // The secret value still decrypts for the swarm.
        await using var db = host.Store.CreateContext();
        var stored = await db.Secrets.AsNoTracking().SingleAsync(s => s.Key == "token", TestContext.Current.CancellationToken);
        var vault = host.App.Services.GetRequiredService<Ward.Server.Services.SecretVault>();
        Assert.Equal("kept across restarts", System.Text.Encoding.UTF8.GetString(vault.Unprotect(stored.ProtectedValue)));
    }

    /// <summary>Some ordinary work, so the log has a dozen entries or more, by several actors.</summary>
    private async Task WriteAuditEntriesAsync()
    {
        var name = await NewEnvironmentAsync();
        await _owner.PutAsync($"/api/v1/environments/{name}/secrets/token", new { value = "one" }).Expect(200);
        await _owner.PutAsync($"/api/v1/environments/{name}/secrets/token", new { value = "two" }).Expect(200);
        using var anonymous = Host.Anonymous();
        await anonymous.PostAsync("/api/v1/session", new { userName = Unique("nobody"), password = "wrong password!" }).Expect(401);
        var id = await WardHost.CreateUserAsync(_owner, Unique("audited"));
        await WardHost.GrantAsync(_owner, id, "viewer", name);
        await WardHost.CreateTokenAsync(_owner, "viewer");
        Assert.True((await EntriesAsync()).Count >= 10);
    }

    /// <summary>Keeps the log as it is now, to put it back when the test is over.</summary>
    private async Task KeepUntamperedAsync()
    {
        Assert.True((await AuditChain.VerifyAsync(Host.Store, TestContext.Current.CancellationToken)).Intact, "the log was broken before the test tampered with it");
        _untampered = await EntriesAsync();
    }

    private async Task<string> NewEnvironmentAsync()
    {
        var name = Unique("env");
        await WardHost.RegisterAsync(_owner, Environments.File(name));
        return name;
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private async Task<List<AuditEntry>> EntriesAsync()
    {
        await using var db = Host.Store.CreateContext();
        return await db.Audit.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(TestContext.Current.CancellationToken);
    }

    private async Task<IReadOnlyList<string>> BrokenAsync()
    {
        var result = await AuditChain.VerifyAsync(Host.Store, TestContext.Current.CancellationToken);
        Assert.False(result.Intact, "the tampered log verified as intact");
        Assert.NotEmpty(result.Problems);
        return result.Problems;
    }

    private async Task<JsonObject> UserAsync(Guid id) =>
        (JsonObject)(await _owner.GetAsync("/api/v1/users").Expect(200)).Json!.AsArray().Single(u => u!["id"]!.GetValue<Guid>() == id)!;

    private static void ExpectStale(Reply reply)
    {
        reply.Expect(409, "stale_version");
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal(409, reply.Json!["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(reply.Json["detail"]?.GetValue<string>()));
    }
}
