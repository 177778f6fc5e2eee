using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Ward.Engine.Tests.Support;

/// <summary>
/// A fake clock that knows when the code under test starts waiting on it: <see cref="RunAsync{T}"/> runs the work and,
/// each time it arms a timer (Task.Delay with this provider), advances the clock by exactly that delay. Time passes
/// only when the code waits, so tests are deterministic and take no real time.
/// </summary>
internal sealed class TestClock : FakeTimeProvider
{
    // A channel rather than a semaphore: a reader that stops waiting (the work finished first) never swallows an item.
    private readonly Channel<TimeSpan> _delays = Channel.CreateUnbounded<TimeSpan>();

    public TestClock()
        : base(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Called with the time elapsed so far each time the work waits, before the clock moves on.</summary>
    public Action<TimeSpan>? OnWait { get; set; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            _delays.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>Runs <paramref name="work"/> on the thread pool, moving the clock whenever it waits, up to <paramref name="limit"/> of fake time.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> work, TimeSpan? limit = null)
    {
        while (_delays.Reader.TryRead(out _))
        {
        }

        var started = GetUtcNow();
        var task = Task.Run(work);
        while (!task.IsCompleted)
        {
            if (!_delays.Reader.TryRead(out var delay))
            {
                await Task.WhenAny(task, _delays.Reader.WaitToReadAsync().AsTask());
                continue;
            }

            var elapsed = GetUtcNow() - started;
            if (elapsed > (limit ?? TimeSpan.FromHours(1)))
            {
                throw new TimeoutException($"the work still waits after {elapsed} of fake time");
            }

            OnWait?.Invoke(elapsed);
            Advance(delay);
        }

        return await task;
    }

    public Task RunAsync(Func<Task> work, TimeSpan? limit = null) => RunAsync(async () =>
    {
        await work();
        return true;
    }, limit);
}
