using System.Net;

namespace Ward.Deploying.Balancing;

/// <summary>Asks a domain's address for the load balancer's probe path, as an ACME authority will ask for its challenge.</summary>
public interface IRouteProbe
{
    /// <summary>Whether http://ADDRESS/PATH with Host: HOST answers the token.</summary>
    Task<bool> AnswersAsync(string address, string host, string path, string token, CancellationToken cancellationToken);
}

/// <summary>The probe over plain HTTP on port 80, with a short timeout (a domain that does not answer is not ready).</summary>
public sealed class HttpRouteProbe : IRouteProbe, IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };

    public async Task<bool> AnswersAsync(string address, string host, string path, string token, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(address, out var ip))
        {
            return false;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder("http", ip.ToString(), 80, path).Uri);
        request.Headers.Host = host;
        try
        {
            using var response = await _client.SendAsync(request, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync(cancellationToken)).Trim() == token;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}
