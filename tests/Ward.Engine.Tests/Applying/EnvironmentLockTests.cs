using Ward.Engine.Applying;
using Ward.Engine.Ports;
using Ward.Engine.Tests.Support;

namespace Ward.Engine.Tests.Applying;

public sealed class EnvironmentLockTests
{
    private static readonly LockHolder First = new("ci-runner-1", 100);
    private static readonly LockHolder Second = new("laptop", 200);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private readonly FakeEngine _engine = new();
    private readonly TestClock _clock = new();

    private Task<EnvironmentLock> AcquireAsync(LockHolder holder, TimeSpan wait, Func<int, bool>? isAlive = null) =>
        _clock.RunAsync(() => EnvironmentLock.AcquireAsync(_engine, "demo", Lease, wait, _clock, holder, isAlive ?? (_ => true), CancellationToken.None));

    private IReadOnlyList<ObservedObject> Locks => [.. _engine.Objects.Where(o => o.Kind == ObjectKind.Config && o.Name == EnvironmentLock.NameOf("demo"))];

    [Fact]
    public async Task The_lock_is_a_config_naming_its_holder_and_lease()
    {
        await using var held = await AcquireAsync(First, TimeSpan.Zero);
        var config = Assert.Single(Locks);
        Assert.Equal("ward-lock.demo", config.Name);
        Assert.Equal("ci-runner-1:100", config.Labels["ward.lock.holder"]);
        Assert.Equal((_clock.GetUtcNow() + Lease).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), config.Labels["ward.lock.expires"]);
        Assert.DoesNotContain("com.docker.stack.namespace", config.Labels.Keys);
    }

    [Fact]
    public async Task A_second_holder_gets_a_conflict_naming_the_first_after_waiting()
    {
        await using var held = await AcquireAsync(First, TimeSpan.Zero);
        var started = _clock.GetUtcNow();
        var error = await Assert.ThrowsAsync<LockConflictException>(() => AcquireAsync(Second, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(5), _clock.GetUtcNow() - started);
        Assert.Contains("another apply of demo is running (ci-runner-1:100", error.Message, StringComparison.Ordinal);
        Assert.Contains("--lock-wait", error.Message, StringComparison.Ordinal);
        Assert.Equal("ci-runner-1:100", Assert.Single(Locks).Labels["ward.lock.holder"]);
    }

    [Fact]
    public async Task Without_a_wait_the_conflict_is_immediate()
    {
        await using var held = await AcquireAsync(First, TimeSpan.Zero);
        var started = _clock.GetUtcNow();
        await Assert.ThrowsAsync<LockConflictException>(() => AcquireAsync(Second, TimeSpan.Zero));
        Assert.Equal(started, _clock.GetUtcNow());
    }

    [Fact]
    public async Task A_waiting_holder_gets_the_lock_when_the_first_releases_it()
    {
        var first = await AcquireAsync(First, TimeSpan.Zero);
        _clock.OnWait = elapsed =>
        {
            if (elapsed == TimeSpan.FromSeconds(3))
            {
                first.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        };

        var started = _clock.GetUtcNow();
        await using var second = await AcquireAsync(Second, TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromSeconds(4), _clock.GetUtcNow() - started);
        Assert.Equal("laptop:200", Assert.Single(Locks).Labels["ward.lock.holder"]);
    }

    [Fact]
    public async Task A_lock_whose_holder_died_on_this_host_is_taken_over()
    {
        await AcquireAsync(new LockHolder("laptop", 100), TimeSpan.Zero);
        await using var held = await AcquireAsync(Second, TimeSpan.Zero, isAlive: pid => pid != 100);
        Assert.Equal("laptop:200", Assert.Single(Locks).Labels["ward.lock.holder"]);
    }

    [Fact]
    public async Task A_dead_process_id_on_another_host_means_nothing()
    {
        await using var held = await AcquireAsync(First, TimeSpan.Zero);
        await Assert.ThrowsAsync<LockConflictException>(() => AcquireAsync(Second, TimeSpan.Zero, isAlive: _ => false));
    }

    [Fact]
    public async Task A_lock_whose_lease_ran_out_is_taken_over()
    {
        await AcquireAsync(First, TimeSpan.Zero);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        await using var held = await AcquireAsync(Second, TimeSpan.Zero);
        Assert.Equal("laptop:200", Assert.Single(Locks).Labels["ward.lock.holder"]);
    }

    [Fact]
    public async Task A_holder_whose_lock_was_taken_over_does_not_release_the_new_holders_lock()
    {
        var first = await AcquireAsync(First, TimeSpan.Zero);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        await using var second = await AcquireAsync(Second, TimeSpan.Zero);
        await first.DisposeAsync();
        Assert.Equal("laptop:200", Assert.Single(Locks).Labels["ward.lock.holder"]);
    }

    [Fact]
    public async Task Disposing_releases_the_lock_and_twice_is_harmless()
    {
        var held = await AcquireAsync(First, TimeSpan.Zero);
        await held.DisposeAsync();
        Assert.Empty(Locks);
        await held.DisposeAsync();

        await using var again = await AcquireAsync(Second, TimeSpan.Zero);
        Assert.Single(Locks);
    }

    [Fact]
    public async Task A_lock_released_between_the_conflict_and_the_look_is_simply_taken()
    {
        _engine.Fail("Create Config ward-lock.demo", new EngineConflictException("config ward-lock.demo already exists"));
        await using var held = await AcquireAsync(Second, TimeSpan.Zero);
        Assert.Equal(2, _engine.Calls.Count(c => c == "Create Config ward-lock.demo"));
        Assert.Single(Locks);
    }

    [Fact]
    public async Task Locks_of_other_environments_do_not_interfere()
    {
        await using var demo = await AcquireAsync(First, TimeSpan.Zero);
        await using var other = await _clock.RunAsync(() => EnvironmentLock.AcquireAsync(_engine, "other", Lease, TimeSpan.Zero, _clock, Second, _ => true, CancellationToken.None));
        Assert.Equal(2, _engine.Objects.Count(o => o.Kind == ObjectKind.Config));
    }

    [Theory]
    [InlineData("host:42", "host", 42)]
    [InlineData("my:host:7", "my:host", 7)]
    public void Holders_read_back_as_written(string text, string host, int pid)
    {
        Assert.Equal(new LockHolder(host, pid), LockHolder.Parse(text));
        Assert.Equal(text, new LockHolder(host, pid).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("host")]
    [InlineData("host:x")]
    [InlineData(":1")]
    public void Unreadable_holders_are_null(string text) => Assert.Null(LockHolder.Parse(text));
}
