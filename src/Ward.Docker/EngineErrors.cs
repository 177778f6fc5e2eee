using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
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
            case DockerApiException { StatusCode: HttpStatusCode.BadRequest } api when Message(api).Contains("HTTP request to an HTTPS server", StringComparison.Ordinal):
                return new EngineUnavailableException(
                    $"the Docker engine at {endpoint} requires TLS and Ward spoke plain HTTP to it: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to a folder with ca.pem, cert.pem and key.pem, as for the docker CLI", e);
            case DockerApiException api when IsRaftDeadline(api):
                return new EngineDeadlineException(Message(api), e);
            case DockerApiException api:
                return new EngineRequestException(Message(api), e);
            case OperationCanceledException:
                return new EngineUnavailableException($"the Docker engine at {endpoint} did not answer in time", e);
            case JsonException:
                return new EngineRequestException($"the Docker engine at {endpoint} sent an answer Ward cannot read: {e.Message}", e);
        }

        if (Find<AuthenticationException>(e) is { } tls)
        {
            return new EngineUnavailableException(TlsFailure(endpoint, tls), e);
        }

        return Find<SocketException>(e) is { } socket ? new EngineUnavailableException(Unreachable(endpoint, socket), e) : null;
    }

    /// <summary>
    /// The managers' Raft log did not commit the change in time: SwarmKit answers with gRPC's DeadlineExceeded code,
    /// which the engine passes on in its message ("rpc error: code = DeadlineExceeded desc = ...").
    /// </summary>
    private static bool IsRaftDeadline(DockerApiException api) => api.ResponseBody?.Contains("code = DeadlineExceeded", StringComparison.Ordinal) == true;

    private static T? Find<T>(Exception e)
        where T : Exception => e switch
    {
        T found => found,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(f => f is not null),
        { InnerException: { } inner } => Find<T>(inner),
        _ => null,
    };

    /// <summary>
    /// A TLS handshake that failed: the engine's certificate is not signed by DOCKER_CERT_PATH/ca.pem, or the engine
    /// refused the client certificate (a TLS alert about it), or else the TLS library's own reason.
    /// </summary>
    private static string TlsFailure(EngineEndpoint endpoint, AuthenticationException tls)
    {
        var folder = endpoint.CertificateDirectory;
        var reason = (tls.InnerException is null ? tls.Message : Innermost(tls).Message).TrimEnd('.');
        if (reason.StartsWith("error:", StringComparison.Ordinal))
        {
            // OpenSSL's "error:0A000412:SSL routines::sslv3 alert bad certificate": the text after the codes.
            reason = reason[(reason.LastIndexOf(':') + 1)..].Trim();
        }

        var check = folder is null ? "" : $"; check the certificates in {folder} (DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem)";
        if (folder is not null && tls.InnerException is null && tls.Message.Contains("RemoteCertificateValidationCallback", StringComparison.Ordinal))
        {
            var host = endpoint.Address.Host;
            return $"the certificate of the Docker engine at {endpoint} is not signed by the CA in {Path.Combine(folder, "ca.pem")} (DOCKER_CERT_PATH) or not issued for {host}, so Ward does not trust it: that file must be the CA certificate of the engine's TLS certificate, and the certificate must name {host}";
        }

        if (folder is not null && reason.Contains("alert", StringComparison.OrdinalIgnoreCase) &&
            (reason.Contains("certificate", StringComparison.OrdinalIgnoreCase) || reason.Contains("unknown ca", StringComparison.OrdinalIgnoreCase)))
        {
            return $"the Docker engine at {endpoint} refused the TLS connection ({reason}): it does not accept the client certificate {Path.Combine(folder, "cert.pem")} (DOCKER_CERT_PATH); it must be signed by the CA the engine trusts (its --tlscacert)";
        }

        return $"the TLS handshake with the Docker engine at {endpoint} failed ({reason}){check}";
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

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
