using System.Diagnostics;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests.Differential;

/// <summary>
/// Removes everything labelled with a stack's namespace, whoever made it, and waits until the swarm holds none of it:
/// services first, then (once their tasks are gone) networks, secrets and configs. Free of the test framework, so that
/// the differential bench removes stacks the way the tests do.
/// </summary>
internal static class StackRemoval
{
    private static readonly string[] Kinds = ["services", "secrets", "configs", "networks"];

    public static async Task RemoveAsync(RawEngine engine, string stack, CancellationToken cancellationToken)
    {
        foreach (var service in await engine.ListStackAsync("services", stack, cancellationToken))
        {
            await DeleteQuietlyAsync(engine, $"services/{service["ID"]!.GetValue<string>()}", cancellationToken);
        }

        // Networks only once no task of the stack is left on any node: a network removed while a worker still holds
        // its sandbox frees its VXLAN id for the next network, which that worker then cannot join
        // ("error creating vxlan interface: file exists").
        await UntilAsync($"the tasks of stack {stack} to go", async () => (await engine.ListStackAsync("tasks", stack, cancellationToken)).Count == 0,
            TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(250), cancellationToken);
        await UntilAsync($"removing stack {stack}", async () =>
        {
            var left = 0;
            foreach (var kind in Kinds)
            {
                foreach (var item in await engine.ListStackAsync(kind, stack, cancellationToken))
                {
                    left++;
                    await DeleteQuietlyAsync(engine, $"{kind}/{item["ID"]?.GetValue<string>() ?? item["Id"]!.GetValue<string>()}", cancellationToken);
                }
            }

            return left == 0;
        }, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500), cancellationToken);
    }

    private static async Task DeleteQuietlyAsync(RawEngine engine, string path, CancellationToken cancellationToken)
    {
        try
        {
            await engine.DeleteAsync(path, cancellationToken);
        }
        catch (HttpRequestException)
        {
            // Gone already, or a network in use by tasks that are still stopping: the next round removes it.
        }
    }

    private static async Task UntilAsync(string what, Func<Task<bool>> condition, TimeSpan patience, TimeSpan interval, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > patience)
            {
                throw new TimeoutException($"{what}: not within {patience.TotalSeconds:0} s");
            }

            await Task.Delay(interval, cancellationToken);
        }
    }
}
