using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// Two `ward serve` replicas on one PostgreSQL store, sharing one key file: setup happens once, decided in the store;
/// sessions are the store's, so signing out on one replica ends the session on both; a revoked token stops on the other
/// replica within its cache's lifetime (ten seconds), the documented bound.
/// </summary>
public sealed class ReplicaTests(PostgresStores stores) : IClassFixture<PostgresStores>
{
    [Fact]
    public async Task Setup_is_decided_once_in_the_store_whichever_replica_is_asked()
    {
        // Finding 11: replica B's own setup code still created a second owner after A's setup was done.
        var (a, b) = await TwoReplicasAsync();
        await using (a)
        await using (b)
        {
            var codeOfB = b.SetupCode;
            await a.Anonymous().PostAsync("/api/v1/setup", new { code = a.SetupCode, userName = "owner", password = WardHost.Password }).Expect(201);

            Assert.False((await b.Anonymous().GetAsync("/api/v1/setup").Expect(200)).Json!["needed"]!.GetValue<bool>());
            await b.Anonymous().PostAsync("/api/v1/setup", new { code = codeOfB, userName = "owner2", password = WardHost.Password }).Expect(409, "setup_done");

            await using var db = a.Store.CreateContext();
            Assert.Equal(["owner"], await db.Users.AsNoTracking().Select(u => u.UserName).ToListAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Two_replicas_set_up_at_the_same_moment_make_one_owner()
    {
        var (a, b) = await TwoReplicasAsync();
        await using (a)
        await using (b)
        {
            var answers = await Task.WhenAll(
                a.Anonymous().PostAsync("/api/v1/setup", new { code = a.SetupCode, userName = "first", password = WardHost.Password }),
                b.Anonymous().PostAsync("/api/v1/setup", new { code = b.SetupCode, userName = "second", password = WardHost.Password }));
            Assert.Equal([201, 409], answers.Select(r => r.Status).Order());
            Assert.Contains(answers, r => r.Code == "setup_done");

            await using var db = a.Store.CreateContext();
            Assert.Equal(1, await db.Users.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(1, await db.RoleGrants.CountAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Signing_out_on_one_replica_ends_the_session_on_the_other()
    {
        var (a, b) = await TwoReplicasAsync();
        await using (a)
        await using (b)
        {
            var owner = await a.CreateOwnerAsync();
            using var onB = new ApiClient(b.Url, b.Transcript, owner.Clone().Cookies);
            Assert.True((await onB.GetAsync("/api/v1/session").Expect(200)).Json!["signedIn"]!.GetValue<bool>());
            await onB.GetAsync("/api/v1/users").Expect(200);

            await owner.DeleteAsync("/api/v1/session").Expect(204);
            await onB.GetAsync("/api/v1/users").Expect(401, "unauthenticated");
        }
    }

    [Fact]
    public async Task A_token_revoked_on_one_replica_stops_on_the_other_within_ten_seconds()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (a, b) = await TwoReplicasAsync(clock);
        await using (a)
        await using (b)
        {
            var owner = await a.CreateOwnerAsync();
            var token = await WardHost.CreateTokenAsync(owner, "viewer");
            using var onB = b.WithToken(token);
            await onB.GetAsync("/api/v1/environments").Expect(200);

            var id = (await owner.GetAsync("/api/v1/tokens").Expect(200)).Json!.AsArray().Single()!["id"]!.GetValue<Guid>();
            await owner.DeleteAsync($"/api/v1/tokens/{id}").Expect(204);
            using var onA = a.WithToken(token);
            await onA.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");

            // Replica B answers from its cache for at most ten seconds (docs/security.md says so), then asks the store.
            clock.Advance(TimeSpan.FromSeconds(10) + TimeSpan.FromMilliseconds(1));
            await onB.GetAsync("/api/v1/environments").Expect(401, "unauthenticated");
        }
    }

    /// <summary>Two servers on one new PostgreSQL database, each with a data folder of its own and the same key file.</summary>
    private async Task<(WardHost A, WardHost B)> TwoReplicasAsync(TimeProvider? clock = null)
    {
        var (store, dataOfA) = await stores.CreateAsync();
        var (_, dataOfB) = await stores.CreateAsync();
        var keyFile = WardHost.DefaultKeyFile(dataOfA);
        var a = await WardHost.StartAsync(new HostOptions { Store = store, DataDirectory = dataOfA, KeyFile = keyFile, Clock = clock });
        var b = await WardHost.StartAsync(new HostOptions { Store = store, DataDirectory = dataOfB, KeyFile = keyFile, Clock = clock });
        return (a, b);
    }
}
