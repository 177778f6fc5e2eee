using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Ward.Engine.Ports;

namespace Ward.Server.Services;

/// <summary>The server's engine, with each call and each failure counted for /metrics (ward_engine_calls_total).</summary>
internal sealed class CountingEngine(IEngine inner, WardMetrics metrics) : IEngine, IDisposable
{
    public Task<EngineInfo> InfoAsync(CancellationToken cancellationToken) => CountAsync("info", () => inner.InfoAsync(cancellationToken));

    public Task<IReadOnlyList<ObservedNode>> ListNodesAsync(CancellationToken cancellationToken) => CountAsync("list_nodes", () => inner.ListNodesAsync(cancellationToken));

    public Task UpdateNodeAsync(string id, long version, JsonObject spec, CancellationToken cancellationToken) =>
        CountAsync("update_node", async () => { await inner.UpdateNodeAsync(id, version, spec, cancellationToken); return true; });

    public Task<IReadOnlyList<ObservedObject>> ListAsync(ObjectKind kind, string? stackNamespace, CancellationToken cancellationToken) =>
        CountAsync("list", () => inner.ListAsync(kind, stackNamespace, cancellationToken));

    public Task<string> CreateAsync(ObjectKind kind, JsonObject spec, CancellationToken cancellationToken) => CountAsync("create", () => inner.CreateAsync(kind, spec, cancellationToken));

    public Task UpdateServiceAsync(string id, long version, JsonObject spec, CancellationToken cancellationToken) =>
        CountAsync("update_service", async () => { await inner.UpdateServiceAsync(id, version, spec, cancellationToken); return true; });

    public Task RemoveAsync(ObjectKind kind, string id, CancellationToken cancellationToken) =>
        CountAsync("remove", async () => { await inner.RemoveAsync(kind, id, cancellationToken); return true; });

    public Task<IReadOnlyList<ObservedTask>> ListTasksAsync(IReadOnlyCollection<string>? serviceIds, CancellationToken cancellationToken) =>
        CountAsync("list_tasks", () => inner.ListTasksAsync(serviceIds, cancellationToken));

    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken) =>
        CountAsync("exec", () => inner.ExecAsync(containerId, command, environment, cancellationToken));

    public async IAsyncEnumerable<ServiceLogLine> ServiceLogsAsync(string serviceId, ServiceLogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Counted once per stream opened; a failure is an engine error whether it comes at the start or midway.
        var failed = true;
        try
        {
            await foreach (var line in inner.ServiceLogsAsync(serviceId, options, cancellationToken))
            {
                yield return line;
            }

            failed = false;
        }
        finally
        {
            metrics.EngineCall("service_logs", failed && !cancellationToken.IsCancellationRequested);
        }
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private async Task<T> CountAsync<T>(string call, Func<Task<T>> run)
    {
        try
        {
            var result = await run();
            metrics.EngineCall(call, false);
            return result;
        }
        catch (EngineException)
        {
            metrics.EngineCall(call, true);
            throw;
        }
    }
}
