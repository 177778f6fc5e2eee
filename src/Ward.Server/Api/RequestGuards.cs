using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Ward.Server.Api;

/// <summary>
/// What the server does with every request before any endpoint sees it, and with every failure after: the security
/// headers on every answer (errors included), addresses that are too long or hide dot segments refused, and every
/// failure turned into a ProblemDetails with a code.
/// </summary>
public static class RequestGuards
{
    /// <summary>The longest path and query the server reads (Kestrel is allowed longer request lines, so that it is this check that answers).</summary>
    public const int MaxTargetLength = 8 * 1024;

    /// <summary>Kestrel's own limit on the request line: beyond it Kestrel answers 414 itself, with no body (its errors cannot be shaped).</summary>
    public const int MaxRequestLineLength = 64 * 1024;

    /// <summary>The most any caller may send (an environment file, a secret); anonymous endpoints take much less.</summary>
    public const long MaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>What an anonymous caller may send (setup, sign-in).</summary>
    public const long MaxAnonymousBodyBytes = 16 * 1024;

    /// <summary>
    /// Sets the security headers when the answer starts, whatever produced it: an endpoint, a refusal, or the exception
    /// handler (which clears the headers set before it ran).
    /// </summary>
    public static Task SecurityHeadersAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>
    /// Refuses an address longer than <see cref="MaxTargetLength"/>, and one with a "." or ".." segment, written plainly or
    /// percent-encoded: Kestrel resolves those before routing, so /secrets/%2e%2e would reach another endpoint.
    /// </summary>
    public static async Task TargetAsync(HttpContext context, RequestDelegate next)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        if (target.Length > MaxTargetLength)
        {
            await Problems.Of(StatusCodes.Status414UriTooLong, ProblemCodes.UriTooLong, $"the address is longer than {MaxTargetLength} characters").ExecuteAsync(context);
            return;
        }

        var path = target.Split('?', 2)[0];
        foreach (var segment in path.Split('/'))
        {
            if (Uri.UnescapeDataString(segment) is "." or "..")
            {
                await Problems.BadRequest(ProblemCodes.InvalidPath, "a path may not have '.' or '..' segments, plain or percent-encoded").ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    }

    /// <summary>
    /// Holds the body to the endpoint's limit (its metadata: sign-in and setup take little) or the server's, and answers
    /// a body over it with a ProblemDetails 413. A body of unannounced length is read into memory up to the limit first:
    /// past the limit, Kestrel's own answer inside an endpoint would be an empty 413.
    /// </summary>
    public static async Task BodyLimitAsync(HttpContext context, RequestDelegate next)
    {
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } limit && feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit.MaxRequestBodySize;
        }

        var maximum = feature?.MaxRequestBodySize;
        if (maximum is not null && context.Request.ContentLength > maximum)
        {
            await TooLarge().ExecuteAsync(context);
            return;
        }

        if (maximum is not null && context.Request.ContentLength is null && context.Request.Headers.TransferEncoding.Count > 0)
        {
            var buffered = new MemoryStream();
            try
            {
                await context.Request.Body.CopyToAsync(buffered, context.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await TooLarge().ExecuteAsync(context);
                return;
            }

            buffered.Position = 0;
            context.Request.Body = buffered;
        }

        await next(context);
    }

    /// <summary>
    /// For answers that would go out with an error status and no body — the framework's own (no such route, a method or
    /// content type the route does not take): a ProblemDetails with a code instead.
    /// </summary>
    public static Task EmptyErrorAsync(StatusCodeContext context)
    {
        var status = context.HttpContext.Response.StatusCode;
        var (code, detail) = status switch
        {
            StatusCodes.Status404NotFound => (ProblemCodes.NotFound, "there is nothing at this address"),
            StatusCodes.Status405MethodNotAllowed => (ProblemCodes.MethodNotAllowed, "this address does not take this method"),
            StatusCodes.Status415UnsupportedMediaType => (ProblemCodes.UnsupportedMediaType, "send the body as JSON (Content-Type: application/json)"),
            >= 500 => (ProblemCodes.InternalError, "an internal error happened; it is in the server's log"),
            _ => (ProblemCodes.InvalidRequest, "the request cannot be served"),
        };
        return Problems.Of(status, code, detail).ExecuteAsync(context.HttpContext);
    }

    private static IResult TooLarge() => Problems.Of(StatusCodes.Status413PayloadTooLarge, ProblemCodes.BodyTooLarge, "the body is larger than this endpoint takes");

    /// <summary>The exception handler: every failure as a ProblemDetails with a code; a 500 says no more than that it happened.</summary>
    public static async Task FailureAsync(HttpContext context)
    {
        var failure = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var result = failure switch
        {
            BadHttpRequestException bad => BadRequest(bad),
            DbUpdateConcurrencyException => Problems.Conflict(ProblemCodes.StaleVersion, "the object changed since you read it; read it again and retry"),
            not null when EngineProblems.Of(failure) is { } problem => problem,
            _ => Problems.Of(StatusCodes.Status500InternalServerError, ProblemCodes.InternalError, "an internal error happened; it is in the server's log"),
        };
        // The exception handler middleware has logged the failure already.
        await result.ExecuteAsync(context);
    }

    /// <summary>
    /// A request the framework could not read into an endpoint's parameters. The framework's message may repeat what was
    /// sent (a secret value, say), so each answer says in its own words what was wrong and where, never the value.
    /// </summary>
    private static IResult BadRequest(BadHttpRequestException bad) => bad switch
    {
        { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(),
        { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            Problems.Of(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "send the body as JSON (Content-Type: application/json)"),
        { InnerException: JsonException json } =>
            Problems.BadRequest(ProblemCodes.InvalidJson, $"the body is not the JSON this endpoint takes (at {json.Path ?? "$"}, line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1})"),
        _ when bad.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal) ||
               (bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) && bad.Message.EndsWith("from body.", StringComparison.Ordinal)) =>
            Problems.BadRequest(ProblemCodes.MissingBody, "this endpoint needs a JSON object as its body"),
        _ when bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) || bad.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal) =>
            Problems.BadRequest(ProblemCodes.InvalidQuery, $"a query or path value is missing or not of its type ({ParameterOf(bad.Message)})"),
        _ => Problems.BadRequest(ProblemCodes.InvalidRequest, "the request cannot be read"),
    };

    /// <summary>"int? limit" from the framework's message, which quotes the parameter first and the value sent after it.</summary>
    private static string ParameterOf(string message)
    {
        var start = message.IndexOf('"', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        return end > start ? message[(start + 1)..end] : "a parameter";
    }
}
