using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Ward.Engine.Ports;

namespace Ward.Docker;

/// <summary>
/// Maps the client library's exceptions to Ward's engine failures, once, so the rest of Ward never sees them: an
/// unreachable engine, a node that is not a manager, a conflict (stale version or existing name), not found, refused.
/// </summary>
internal static class EngineErrors
{
    public static async Task<T> Call<T>(EngineEndpoint endpoint, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (Translate(endpoint, e, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public static Task Call(EngineEndpoint endpoint, Func<Task> call, CancellationToken cancellationToken) =>
        Call(endpoint, async () =>
        {
            await call();
            return true;
        }, cancellationToken);

    public static EngineException? Translate(EngineEndpoint endpoint, Exception e, CancellationToken cancellationToken)
    {
        if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        switch (e)
        {
            case DockerSwarmNodeNotParticipatingException or DockerApiException { StatusCode: HttpStatusCode.ServiceUnavailable }:
                return new NotSwarmManagerException(NotManager(endpoint, Message(e)), e);
            case DockerApiException { StatusCode: HttpStatusCode.Conflict } api:
                return new EngineConflictException(Message(api), e);
            case DockerApiException { StatusCode: HttpStatusCode.InternalServerError } api when Message(api).Contains("update out of sequence", StringComparison.OrdinalIgnoreCase):
                return new EngineConflictException("the object changed since it was read (update out of sequence)", e);
            case DockerApiException { StatusCode: HttpStatusCode.NotFound } api:
                return new EngineNotFoundException(Message(api), e);
            case DockerApiException api:
                return new EngineRequestException(Message(api), e);
            case OperationCanceledException:
                return new EngineUnavailableException($"the Docker engine at {endpoint} did not answer in time", e);
            case JsonException:
                return new EngineRequestException($"the Docker engine at {endpoint} sent an answer Ward cannot read: {e.Message}", e);
        }

        return FindSocketError(e) is { } socket ? new EngineUnavailableException(Unreachable(endpoint, socket), e) : null;
    }

    private static SocketException? FindSocketError(Exception e) => e switch
    {
        SocketException socket => socket,
        AggregateException aggregate => aggregate.InnerExceptions.Select(FindSocketError).FirstOrDefault(s => s is not null),
        { InnerException: { } inner } => FindSocketError(inner),
        _ => null,
    };

    private static string Unreachable(EngineEndpoint endpoint, SocketException socket)
    {
        var address = endpoint.Address;
        if (address.Scheme == "unix")
        {
            return File.Exists(address.LocalPath)
                ? $"no Docker engine answers on {address.LocalPath} (the socket exists but nothing listens: is dockerd running?)"
                : $"no Docker engine at {address.LocalPath}: the socket does not exist. Start the engine (dockerd), run ./ward cluster up for a local cluster, or set DOCKER_HOST";
        }

        return $"no Docker engine answers at {address} ({socket.SocketErrorCode})";
    }

    private static string NotManager(EngineEndpoint endpoint, string detail) =>
        $"the Docker engine at {endpoint} is not a swarm manager ({detail.TrimEnd('.')}). Initialise a swarm with `docker swarm init` (or `./ward cluster up` for a local one), or point DOCKER_HOST at a manager";

    /// <summary>The engine's own message, from its JSON error body.</summary>
    public static string Message(Exception e)
    {
        if (e is DockerApiException api && !string.IsNullOrEmpty(api.ResponseBody))
        {
            try
            {
                using var json = JsonDocument.Parse(api.ResponseBody);
                if (json.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } text)
                {
                    return text.Replace("rpc error: code = ", "", StringComparison.Ordinal);
                }
            }
            catch (JsonException)
            {
                return api.ResponseBody;
            }
        }

        return e.Message;
    }
}
