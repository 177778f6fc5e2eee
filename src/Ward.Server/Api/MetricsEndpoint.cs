using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>
/// GET /metrics: Ward's own signals in the Prometheus text format, for a scraper that sends the token of
/// Ward:MetricsToken (Authorization: Bearer ...). Without a token configured the endpoint does not exist: its figures
/// (environment names, request counts) are not for everyone.
/// </summary>
public static class MetricsEndpoint
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/metrics", Serve).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>Counts every request, whatever answers it, with its status and how long it took.</summary>
    public static async Task CountAsync(HttpContext context, RequestDelegate next)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            context.RequestServices.GetRequiredService<WardMetrics>().Request(context.Request.Method, context.Response.StatusCode, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    private static IResult Serve(HttpContext context, WardMetrics metrics, IOptions<ServerOptions> options)
    {
        if (string.IsNullOrEmpty(options.Value.MetricsToken))
        {
            return Results.NotFound();
        }

        var sent = context.Request.Headers.Authorization.ToString();
        var expected = "Bearer " + options.Value.MetricsToken;
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(sent)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
        {
            return Problems.Unauthorized("send the metrics token: Authorization: Bearer <Ward:MetricsToken>");
        }

        return Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
    }
}
