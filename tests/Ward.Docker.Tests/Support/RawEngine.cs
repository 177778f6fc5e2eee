using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Ward.Docker.Tests.Support;

/// <summary>
/// The Engine API as raw JSON over the engine's unix socket, independent of Ward's client library: what the engine
/// really stores is what the tests compare and count.
/// </summary>
internal sealed class RawEngine : IDisposable
{
    private readonly HttpClient _http;

    public RawEngine(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://engine/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {body}");
        }

        return JsonNode.Parse(body)!;
    }

    public async Task<JsonNode?> PostAsync(string path, JsonNode body, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {path}: {(int)response.StatusCode} {text}");
        }

        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync(new Uri(path, UriKind.Relative), cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            throw new HttpRequestException($"DELETE {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>Objects (services, networks, secrets, configs) labelled with a stack namespace.</summary>
    /// <param name="kind">services, networks, secrets or configs.</param>
    /// <param name="stack">The stack namespace.</param>
    /// <param name="cancellationToken">Stops it.</param>
    /// <param name="leftovers">Also networks the swarm removed that the manager's engine still lists (see <see cref="IsLeftover"/>).</param>
    public async Task<List<JsonObject>> ListStackAsync(string kind, string stack, CancellationToken cancellationToken, bool leftovers = false)
    {
        var filter = Uri.EscapeDataString($"{{\"label\":{{\"com.docker.stack.namespace={stack}\":true}}}}");
        var list = await GetAsync($"{kind}?filters={filter}", cancellationToken);
        return [.. list.AsArray().OfType<JsonObject>().Where(o => kind != "networks" || leftovers || !IsLeftover(o))];
    }

    public async Task<List<JsonObject>> ListAsync(string kind, CancellationToken cancellationToken) =>
        [.. (await GetAsync(kind, cancellationToken)).AsArray().OfType<JsonObject>()];

    /// <summary>Tasks of a service (by name or id).</summary>
    public async Task<List<JsonObject>> TasksAsync(string service, CancellationToken cancellationToken)
    {
        var filter = Uri.EscapeDataString($"{{\"service\":{{\"{service}\":true}}}}");
        return [.. (await GetAsync($"tasks?filters={filter}", cancellationToken)).AsArray().OfType<JsonObject>()];
    }

    /// <summary>Running tasks of a service (desired and actual state running).</summary>
    public async Task<List<JsonObject>> RunningTasksAsync(string service, CancellationToken cancellationToken) =>
        [.. (await TasksAsync(service, cancellationToken)).Where(t => t["DesiredState"]?.GetValue<string>() == "running" && t["Status"]?["State"]?.GetValue<string>() == "running")];

    public async Task<List<JsonObject>> NodesAsync(CancellationToken cancellationToken) => await ListAsync("nodes", cancellationToken);

    /// <summary>
    /// A removed overlay network the manager's own engine still lists until its last task there has stopped: it has
    /// containers (the swarm's networks, listed from the cluster, have none), and it is no longer the swarm's.
    /// </summary>
    public static bool IsLeftover(JsonObject network) => network["Scope"]?.GetValue<string>() == "swarm" && network["Containers"] is not null;

    public void Dispose() => _http.Dispose();
}
