using Ward.Testing;

namespace Ward.Bench.LoadBalancer;

/// <summary>The no-dropped-requests measurements with the issue's counts; prints every count and whether each target is met.</summary>
internal static class Drops
{
    public static async Task<int> RunAsync(DropTarget target, BenchOptions options, CancellationToken cancellationToken)
    {
        var scenarios = new DropScenarios(target);
        var met = true;
        if (options.Scenarios.Contains("rolling"))
        {
            met &= await RollingAsync(scenarios, options.Updates, cancellationToken);
        }

        if (options.Scenarios.Contains("domain"))
        {
            met &= await DomainAsync(scenarios, cancellationToken);
        }

        if (options.Scenarios.Contains("kill"))
        {
            met &= await KillAsync(scenarios, cancellationToken);
        }

        return met ? 0 : 1;
    }

    private static async Task<bool> RollingAsync(DropScenarios scenarios, int updates, CancellationToken cancellationToken)
    {
        var rolling = await scenarios.RollingUpdatesAsync(updates, cancellationToken);
        Console.WriteLine($"(a) {updates} rolling updates of web (start-first): {rolling}");
        return Verdict($"(a) 0 failed and 0 reset", rolling.Failed == 0 && rolling.Resets == 0 && rolling.NotSent == 0);
    }

    private static async Task<bool> DomainAsync(DropScenarios scenarios, CancellationToken cancellationToken)
    {
        var (domain, before, after) = await scenarios.DomainAddedAndRemovedAsync("extra.bench.test", cancellationToken);
        Console.WriteLine($"(b) another domain added and removed: {domain}; load balancer task {before[..12]} before, {after[..12]} after");
        return Verdict("(b) 0 failed on the first domain, same load balancer task", domain.Failed == 0 && domain.NotSent == 0 && before == after);
    }

    private static async Task<bool> KillAsync(DropScenarios scenarios, CancellationToken cancellationToken)
    {
        var (killed, at, _) = await scenarios.TaskKilledAsync(cancellationToken);
        var late = killed.Failures.Where(f => f.At > at + TimeSpan.FromSeconds(1)).ToList();
        Console.WriteLine($"(c) a web task's container killed at {at.TotalSeconds:0.000} s: {killed}");
        Console.WriteLine($"    failed requests started more than 1 s after the kill: {late.Count}");
        return Verdict("(c) only requests in flight to the killed task may fail (none started later than 1 s after the kill)", late.Count == 0 && killed.NotSent == 0);
    }

    private static bool Verdict(string target, bool met)
    {
        Console.WriteLine($"    target {target}: {(met ? "met" : "NOT met")}");
        return met;
    }
}
