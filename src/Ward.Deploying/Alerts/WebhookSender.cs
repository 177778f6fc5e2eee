using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Ward.Deploying.Alerts;

/// <summary>
/// Posts a digest's JSON to a webhook, signed so that the receiver can tell it comes from Ward and was not changed:
/// <c>X-Ward-Signature: sha256=HEX</c>, the HMAC-SHA256 of the body under the webhook's secret. A refusal (5xx, 429),
/// a timeout or a failed connection is retried with back-off; a 4xx other than 429 is final.
/// </summary>
public sealed class WebhookSender(HttpClient http, IReadOnlyList<TimeSpan> backOff)
{
    public const string SignatureHeader = "X-Ward-Signature";

    /// <summary>Three retries, after 1, 2 and 4 seconds.</summary>
    public static IReadOnlyList<TimeSpan> DefaultBackOff { get; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    public static string Signature(byte[] key, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body));

    public async Task<DeliveryResult> SendAsync(string url, byte[]? key, string json, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(json);
        string? error = null;
        for (var attempt = 1; attempt <= backOff.Count + 1; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(backOff[attempt - 2], cancellationToken);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (key is not null)
            {
                request.Headers.Add(SignatureHeader, Signature(key, body));
            }

            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return new DeliveryResult(true, attempt, null);
                }

                error = $"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}";
                if ((int)response.StatusCode < 500 && (int)response.StatusCode != 429)
                {
                    return new DeliveryResult(false, attempt, error);
                }
            }
            catch (HttpRequestException e)
            {
                error = $"the webhook could not be reached: {e.Message}";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"the webhook did not answer within {http.Timeout.TotalSeconds:0} s";
            }
        }

        return new DeliveryResult(false, backOff.Count + 1, error);
    }
}

/// <summary>How a delivery went: whether it arrived, after how many attempts, and why not when it did not.</summary>
public sealed record DeliveryResult(bool Delivered, int Attempts, string? Error);
