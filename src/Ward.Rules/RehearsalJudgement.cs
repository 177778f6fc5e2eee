using Ward.Model.Spec;

namespace Ward.Rules;

/// <summary>What was found of one database's recorded rehearsals: the newest before the deadline and, unless it is good, why not.</summary>
/// <param name="Database">The database of the environment.</param>
/// <param name="Newest">The newest rehearsal recorded before the deadline, if any.</param>
/// <param name="Problem">Why it does not count (none recorded, not verified, too old), for people; null when it does.</param>
/// <param name="Age">How long before the deadline the newest rehearsal ended.</param>
public sealed record RehearsalVerdict(string Database, ObservedRehearsal? Newest, string? Problem, TimeSpan? Age)
{
    /// <summary>Counts towards the cut-over's estimate: its newest rehearsal ran to a verified copy (fresh or not).</summary>
    public double EstimateSeconds => Newest is { Verified: true } rehearsal ? rehearsal.TotalSeconds : 0;
}

/// <summary>
/// The judgement of the migration rehearsals Ward recorded (<c>ward db rehearse</c>), in one place: SWO-001 reports it as
/// findings, the switchover plan's gates (Ward.Deploying.Switchover) as gates, each with its own freshness.
/// </summary>
public static class RehearsalJudgement
{
    /// <summary>The dump and restore may take at most this share of the window: the rest is for verifying and, if need be, rolling back.</summary>
    public const double WindowShareForDataMove = 0.5;

    /// <summary>What a rehearsal must precede: the window's start before it has started; once it has, now.</summary>
    public static DateTimeOffset Deadline(TimeWindow? window, DateTimeOffset now) => window is { } upcoming && upcoming.Start > now ? upcoming.Start : now;

    /// <summary>The newest rehearsal before the deadline: recorded, verified, and no more than <paramref name="freshness"/> before it.</summary>
    public static RehearsalVerdict Judge(string environment, string database, IEnumerable<ObservedRehearsal> recorded, DateTimeOffset deadline, TimeSpan freshness)
    {
        var newest = recorded.Where(r => r.At <= deadline).MaxBy(r => r.At);
        if (newest is null)
        {
            return new RehearsalVerdict(database, null, $"Ward has recorded no migration rehearsal of database {database}: run `ward db rehearse {environment} {database} --from postgresql://USER:PASSWORD@HOST:PORT/DATABASE` against the current database", null);
        }

        var age = deadline - newest.At;
        if (!newest.Verified)
        {
            return new RehearsalVerdict(database, newest, $"the newest rehearsal of database {database} ({newest.At:u}, from {newest.Source}) did not verify: {newest.Problem ?? "no reason was recorded"}", age);
        }

        return age > freshness
            ? new RehearsalVerdict(database, newest, $"the newest verified rehearsal of database {database} ({newest.At:u}) is {age.TotalDays:0} days before the switchover; rehearse within {freshness.TotalDays:0} days", age)
            : new RehearsalVerdict(database, newest, null, age);
    }

    /// <summary>Why the rehearsed dump, restore and verification do not fit in the window's share for them; null when they do.</summary>
    public static string? WindowProblem(double estimateSeconds, TimeWindow window)
    {
        var budget = window.Length.TotalSeconds * WindowShareForDataMove;
        return estimateSeconds <= budget
            ? null
            : $"the dump, restore and verification of the databases took {Duration(estimateSeconds)} when rehearsed; the {Duration(window.Length.TotalSeconds)} window leaves {Duration(budget)} for it (half, the rest for checking and rolling back): plan a longer window, or move the data ahead of it";
    }

    public static string Duration(double seconds) =>
        seconds >= 3600 ? $"{seconds / 3600:0.#} h" : seconds >= 60 ? $"{seconds / 60:0.#} min" : $"{seconds:0.#} s";
}
