using System.Text.Json.Nodes;

namespace Ward.Docker.Tests.Support;

/// <summary>Removing what a test deployed, and proving it is gone.</summary>
internal static class Stacks
{
    private static readonly string[] Kinds = ["services", "secrets", "configs", "networks"];

    /// <summary>
    /// Removes everything labelled with the stack namespace (services first; networks once their tasks are gone),
    /// whoever made it, and waits until the swarm holds none of it.
    /// </summary>
    public static Task RemoveAsync(RawEngine engine, string stack, CancellationToken cancellationToken) =>
        Differential.StackRemoval.RemoveAsync(engine, stack, cancellationToken);

    /// <summary>Removes every stack on the swarm: the test cluster belongs to the tests, and each run starts clean.</summary>
    public static async Task RemoveAllAsync(RawEngine engine, CancellationToken cancellationToken)
    {
        var stacks = (await engine.ListAsync("services", cancellationToken))
            .Concat(await engine.ListAsync("networks", cancellationToken))
            .Concat(await engine.ListAsync("secrets", cancellationToken))
            .Concat(await engine.ListAsync("configs", cancellationToken))
            .Select(o => o["Spec"]?["Labels"]?["com.docker.stack.namespace"] ?? o["Labels"]?["com.docker.stack.namespace"])
            .OfType<JsonNode>()
            .Select(n => n.GetValue<string>())
            .Distinct(StringComparer.Ordinal);
        foreach (var stack in stacks)
        {
            await RemoveAsync(engine, stack, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until the swarm lists nothing of the stack. A removed overlay network can stay listed for a moment: the
    /// manager's own copy goes once its tasks there have stopped.
    /// </summary>
    public static async Task<TimeSpan> WaitGoneAsync(RawEngine engine, string stack, TimeSpan patience, CancellationToken cancellationToken) =>
        await Poll.UntilAsync(async () => (await CountAsync(engine, stack, cancellationToken)).Values.Sum() == 0, patience)
        ?? throw new Xunit.Sdk.XunitException($"{stack} is still on the swarm after {patience.TotalSeconds:0} s: {string.Join(", ", (await CountAsync(engine, stack, cancellationToken)).Select(c => $"{c.Key} {c.Value}"))}");

    /// <summary>How many objects of each kind the stack has on the swarm, e.g. "services 2, secrets 1, configs 0, networks 1".</summary>
    public static async Task<Dictionary<string, int>> CountAsync(RawEngine engine, string stack, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var kind in Kinds)
        {
            counts[kind] = (await engine.ListStackAsync(kind, stack, cancellationToken)).Count;
        }

        return counts;
    }
}
