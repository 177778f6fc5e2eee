using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// Failed sign-ins slow down the one who fails, never lock the account: back-off per user name and client address
/// (or per user name and device, for a browser that signed in as that user before), and per address across names.
/// Unknown names get the same answers in about the same time as known ones. The server's clock is a fake the tests
/// move (lockout threshold 3, longest back-off 5 minutes).
/// </summary>
public sealed class SignInThrottleTests(ClockedServer server) : IClassFixture<ClockedServer>, IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = server.Clock;
    private readonly WardHost _host = server.Host;
    private ApiClient _owner = null!;

    public async ValueTask InitializeAsync() => _owner = await server.OwnerAsync();

    /// <summary>A quiet day makes the server forget the failures, so each test starts with none from this address.</summary>
    public ValueTask DisposeAsync()
    {
        _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Unknown_and_known_user_names_get_the_same_answers_in_about_the_same_time()
    {
        await WardHost.GrantAsync(_owner, await WardHost.CreateUserAsync(_owner, "known"), "viewer");
        using var client = _host.Anonymous();
        var known = new List<(Reply Reply, TimeSpan Took)>();
        var unknown = new List<(Reply Reply, TimeSpan Took)>();
        for (var i = 0; i < 6; i++)
        {
            known.Add(await TimedSignInAsync(client, "known", $"wrong password {i}"));
            unknown.Add(await TimedSignInAsync(client, "unknown", $"wrong password {i}"));
        }

        // The same answers, try by try: three refusals, then the back-off, for both.
        Assert.Equal(known.Select(k => Comparable(k.Reply)), unknown.Select(u => Comparable(u.Reply)));
        Assert.Equal([401, 401, 401, 429, 429, 429], known.Select(k => k.Reply.Status));
        Assert.Equal("invalid_credentials", known[0].Reply.Code);
        Assert.Equal("sign_in_backoff", known[3].Reply.Code);

        // A password is checked (slowly) for an unknown name too. The medians of the three checked tries differ by
        // a factor of about 50 when it is not.
        var knownMedian = Median(known.Take(3).Select(k => k.Took));
        var unknownMedian = Median(unknown.Take(3).Select(u => u.Took));
        Assert.True(unknownMedian >= knownMedian * 0.5, $"unknown names answer in {unknownMedian.TotalMilliseconds:0} ms, known ones in {knownMedian.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Failures_from_one_client_do_not_keep_the_user_out_on_a_device_that_signed_in_before()
    {
        // Finding 3: five wrong passwords from anywhere locked any account, the owner's included.
        await WardHost.GrantAsync(_owner, await WardHost.CreateUserAsync(_owner, "victim"), "viewer");
        var victim = await _host.SignInAsync("victim", WardHost.Password);
        await victim.DeleteAsync("/api/v1/session").Expect(204);

        using var attacker = _host.Anonymous();
        for (var i = 0; i < 3; i++)
        {
            await attacker.PostAsync("/api/v1/session", new { userName = "victim", password = $"guess {i}" }).Expect(401, "invalid_credentials");
        }

        // The attacker is held back, even with the right password...
        var held = await attacker.PostAsync("/api/v1/session", new { userName = "victim", password = WardHost.Password }).Expect(429, "sign_in_backoff");
        Assert.Contains("Retry-After:", held.Headers, StringComparison.Ordinal);

        // ...while the victim, on the browser they signed in with before, signs in at once from the same address.
        await victim.PostAsync("/api/v1/session", new { userName = "victim", password = WardHost.Password }).Expect(200);

        // Nothing is locked: when the back-off has passed, the right password works from the attacker's client too.
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await attacker.PostAsync("/api/v1/session", new { userName = "victim", password = WardHost.Password }).Expect(200);
    }

    [Fact]
    public async Task The_back_off_doubles_with_each_failure_up_to_the_longest_back_off()
    {
        using var client = _host.Anonymous();
        for (var i = 0; i < 3; i++)
        {
            await client.PostAsync("/api/v1/session", new { userName = "doubling", password = $"guess {i}" }).Expect(401, "invalid_credentials");
        }

        var waits = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            var held = await client.PostAsync("/api/v1/session", new { userName = "doubling", password = "still guessing" }).Expect(429, "sign_in_backoff");
            var wait = held.Json!["retryAfterSeconds"]!.GetValue<int>();
            waits.Add(wait);
            _clock.Advance(TimeSpan.FromSeconds(wait));
            await client.PostAsync("/api/v1/session", new { userName = "doubling", password = "still guessing" }).Expect(401, "invalid_credentials");
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300], waits);
    }

    [Fact]
    public async Task An_address_failing_against_many_names_is_held_back_for_every_name()
    {
        // Ten times the lockout threshold, one try per name (password spraying).
        await WardHost.GrantAsync(_owner, await WardHost.CreateUserAsync(_owner, "regular"), "viewer");
        var regular = await _host.SignInAsync("regular", WardHost.Password);
        using var spray = _host.Anonymous();
        for (var i = 0; i < 30; i++)
        {
            await spray.PostAsync("/api/v1/session", new { userName = $"spray{i}", password = "Summer2026!!" }).Expect(401, "invalid_credentials");
        }

        await spray.PostAsync("/api/v1/session", new { userName = "spray-next", password = "Summer2026!!" }).Expect(429, "sign_in_backoff");
        await spray.PostAsync("/api/v1/session", new { userName = "regular", password = WardHost.Password }).Expect(429, "sign_in_backoff");

        // A browser that signed in as its user before is not held back by what others did from its address.
        await regular.PostAsync("/api/v1/session", new { userName = "regular", password = WardHost.Password }).Expect(200);
    }

    [Fact]
    public async Task An_anonymous_sign_in_writes_no_long_or_strange_name_into_the_audit_log()
    {
        // Finding 4: a sign-in with a 1 MiB user name stored a 1,048,576-character actor.
        using var client = _host.Anonymous();
        var huge = new string('a', 1024 * 1024);
        var refused = await client.PostAsync("/api/v1/session", new { userName = huge, password = "x" });
        Assert.True(refused.Status is 400 or 413, refused.ToString());
        Assert.Equal("application/problem+json", refused.ContentType);
        await client.PostAsync("/api/v1/session", new { userName = new string('b', 65), password = "wrong password" }).Expect(400, "invalid_user_name");
        await client.PostAsync("/api/v1/session", new { userName = "evil\u0000name", password = "wrong password" }).Expect(400, "invalid_user_name");
        await client.PostAsync("/api/v1/session", new { userName = "<script>x</script>", password = "wrong password" }).Expect(400, "invalid_user_name");
        await client.PostAsync("/api/v1/session", new { userName = "ok-name", password = new string('p', 2000) }).Expect(400, "invalid_password");

        await using var db = _host.Store.CreateContext();
        var longest = await db.Audit.AsNoTracking().MaxAsync(e => (int?)(e.Actor.Length + e.Target.Length + (e.After ?? "").Length), TestContext.Current.CancellationToken);
        Assert.True(longest < 1000, $"an audit entry holds {longest} characters of actor, target and after");
        Assert.False(await db.Audit.AnyAsync(e => e.Actor.Contains("evil") || e.Actor.Contains("<script>") || e.Actor.Contains("bbbbbbbbbbbbbbbb"), TestContext.Current.CancellationToken));
    }

    private static async Task<(Reply Reply, TimeSpan Took)> TimedSignInAsync(ApiClient client, string userName, string password)
    {
        var watch = Stopwatch.StartNew();
        var reply = await client.PostAsync("/api/v1/session", new { userName, password });
        return (reply, watch.Elapsed);
    }

    /// <summary>The answer without what differs between any two answers (the trace id).</summary>
    private static string Comparable(Reply reply)
    {
        var json = reply.Json as JsonObject;
        json?.Remove("traceId");
        return $"{reply.Status} {json?.ToJsonString()}";
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
