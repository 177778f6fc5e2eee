using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Ward.Server.Tests.Support;

/// <summary>One HTTP answer, read whole: status, headers as text and body.</summary>
internal sealed record Reply(int Status, string Headers, string Body)
{
    /// <summary>Each Set-Cookie header, whole.</summary>
    public IReadOnlyList<string> SetCookies { get; init; } = [];

    public string? ContentType { get; init; }

    public JsonNode? Json
    {
        get
        {
            try
            {
                return Body.Length == 0 ? null : JsonNode.Parse(Body);
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>The ProblemDetails code, when the answer is one.</summary>
    public string? Code => Json is JsonObject o && o["code"] is JsonValue v ? v.GetValue<string>() : null;

    public override string ToString() => $"{Status} {(Body.Length > 600 ? Body[..600] + "…" : Body)}";
}

/// <summary>
/// A client of a hosted server as one caller: anonymous, a console session (cookies, with the CSRF header on unsafe
/// requests) or an API token. Every answer is also written to the host's transcript.
/// </summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ConcurrentQueue<string> _transcript;

    public ApiClient(string baseUrl, ConcurrentQueue<string> transcript, CookieContainer? cookies = null, string? bearer = null)
    {
        Cookies = bearer is null ? cookies ?? new CookieContainer() : null;
        Bearer = bearer;
        _transcript = transcript;
        var handler = new SocketsHttpHandler
        {
            UseCookies = Cookies is not null,
            CookieContainer = Cookies ?? new CookieContainer(),
            AllowAutoRedirect = false,
        };

        // The https test server has a certificate made for the test.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        _http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public CookieContainer? Cookies { get; }

    public string? Bearer { get; }

    /// <summary>The console's CSRF token, sent as X-Ward-Csrf on unsafe requests.</summary>
    public string? Csrf { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The user's TOTP secret, when enrolled.</summary>
    public string? TotpSecret { get; set; }

    /// <summary>The recovery codes the server showed once, at enrolment.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; set; } = [];

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>A second client with copies of this one's cookies and CSRF token: what it does to its cookies stays its own.</summary>
    public ApiClient Clone()
    {
        CookieContainer? cookies = null;
        if (Cookies is not null)
        {
            cookies = new CookieContainer();
            foreach (Cookie cookie in Cookies.GetAllCookies())
            {
                cookies.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain) { Secure = cookie.Secure, HttpOnly = cookie.HttpOnly });
            }
        }

        return new ApiClient(_http.BaseAddress!.ToString(), _transcript, cookies, Bearer) { Csrf = Csrf, UserName = UserName, Password = Password, TotpSecret = TotpSecret, RecoveryCodes = RecoveryCodes };
    }

    public Task<Reply> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<Reply> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body ?? new { });

    public Task<Reply> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, body);

    public Task<Reply> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public async Task<Reply> SendAsync(HttpMethod method, string path, object? body = null, bool csrf = true, string? rawJson = null, byte[]? rawBody = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (rawBody is not null)
        {
            request.Content = new ByteArrayContent(rawBody);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }
        else if (rawJson is not null)
        {
            request.Content = new StringContent(rawJson, Encoding.UTF8, contentType);
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType());
        }

        if (Bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Bearer);
        }

        if (csrf && Csrf is not null && method != HttpMethod.Get)
        {
            request.Headers.Add(WardServer.CsrfHeader, Csrf);
        }

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
        var reply = new Reply((int)response.StatusCode, headers, text)
        {
            SetCookies = response.Headers.TryGetValues("Set-Cookie", out var cookies) ? [.. cookies] : [],
            ContentType = response.Content.Headers.ContentType?.MediaType,
        };
        _transcript.Enqueue($"{method} {path} -> {reply.Status}\n{headers}\n{text}");
        return reply;
    }

    /// <summary>Reads the CSRF token for this session (GET /api/v1/session), as the console does after each sign-in.</summary>
    public async Task<JsonObject> RefreshCsrfAsync()
    {
        var session = await GetAsync("/api/v1/session");
        Assert.Equal(200, session.Status);
        var json = (JsonObject)session.Json!;
        Csrf = json["csrfToken"]!.GetValue<string>();
        return json;
    }

    public void Dispose() => _http.Dispose();
}

internal static class ReplyAssertions
{
    /// <summary>Asserts a status, showing the answer when it differs.</summary>
    public static Reply Expect(this Reply reply, int status, string? code = null)
    {
        Assert.True(reply.Status == status, $"expected {status}{(code is null ? "" : $" {code}")}, got {reply}");
        if (code is not null)
        {
            Assert.True(reply.Code == code, $"expected the ProblemDetails code {code}, got {reply}");

            // Codes are a contract: each one a test expects must be in the server's one list of them.
            Assert.True(Ward.Server.Api.ProblemCodes.All.Contains(code), $"the code {code} is not in ProblemCodes");
        }

        return reply;
    }

    public static async Task<Reply> Expect(this Task<Reply> reply, int status, string? code = null) => (await reply).Expect(status, code);
}
