using System.Security.Claims;
using Ward.Server.Api;

namespace Ward.Server.Auth;

/// <summary>
/// Role checks as endpoint filters: <c>.Requires(Roles.Deployer, "name")</c> lets through callers who hold at least
/// deployer in the environment named by the route value <c>name</c> (or globally). 401 when nobody is signed in,
/// 403 when the role is not enough.
/// </summary>
public static class Access
{
    public static async ValueTask<WardPrincipal?> PrincipalAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(typeof(WardPrincipal), out var cached))
        {
            return cached as WardPrincipal;
        }

        // A cookie from a sign-in that still has to enrol its second factor allows nothing else.
        if (context.User.Identity?.IsAuthenticated != true ||
            context.User.FindFirstValue(Api.SessionEndpoints.StageClaim) is not (null or "full") ||
            !Guid.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            return null;
        }

        var principal = await context.RequestServices.GetRequiredService<PrincipalCache>().UserAsync(userId, context.RequestAborted);
        context.Items[typeof(WardPrincipal)] = principal;
        return principal;
    }

    public static TBuilder Requires<TBuilder>(this TBuilder builder, string minimum, string? environmentRouteValue = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(minimum, environmentRouteValue)).AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var principal = await PrincipalAsync(context);
            if (principal is null)
            {
                return Problems.Unauthorized();
            }

            var environment = environmentRouteValue is null ? null : context.Request.RouteValues[environmentRouteValue] as string;
            var role = principal.RoleIn(environment);
            if (!Roles.AtLeast(role, minimum))
            {
                var where = environment is null ? "" : $" in {environment}";
                return Problems.Forbidden($"this needs the role {minimum}{where}; you have {role ?? "none"}");
            }

            return await next(invocation);
        });

    /// <summary>
    /// Lets through callers who hold at least <paramref name="minimum"/> globally or in any one environment (a token: in
    /// its environment); the endpoint itself limits what it shows to the environments the caller may see.
    /// </summary>
    public static TBuilder RequiresAnywhere<TBuilder>(this TBuilder builder, string minimum)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(minimum, null) { Anywhere = true }).AddEndpointFilter(async (invocation, next) =>
        {
            var principal = await PrincipalAsync(invocation.HttpContext);
            if (principal is null)
            {
                return Problems.Unauthorized();
            }

            var role = principal.RoleAnywhere;
            return Roles.AtLeast(role, minimum)
                ? await next(invocation)
                : Problems.Forbidden($"this needs the role {minimum} in at least one environment; you have {role ?? "none"}");
        });

    /// <summary>
    /// A signed-in console session at any stage, including one that still has to enrol its second factor; never an API
    /// token (a token must not be able to change its user's second factor or turn itself into a session).
    /// </summary>
    public static TBuilder RequiresSignInCookie<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(SignedIn, null) { SessionOnly = true }).AddEndpointFilter(async (invocation, next) =>
        {
            var user = invocation.HttpContext.User;
            if (user.Identity?.IsAuthenticated != true)
            {
                return Problems.Unauthorized("sign in first");
            }

            return IsCookieSession(user) ? await next(invocation) : Problems.Forbidden("this needs a signed-in session, not an API token");
        });

    /// <summary>The least "role" of endpoints that any signed-in session may use, whatever its roles.</summary>
    public const string SignedIn = "signed-in";

    public static bool IsCookieSession(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, AuthenticationType: Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme };

    /// <summary>Only signed-in people (not tokens): managing tokens and sessions.</summary>
    public static TBuilder RequiresSession<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(Roles.Viewer, null) { SessionOnly = true }).AddEndpointFilter(async (invocation, next) =>
        {
            var principal = await PrincipalAsync(invocation.HttpContext);
            if (principal is null)
            {
                return Problems.Unauthorized();
            }

            return principal.ViaToken ? Problems.Forbidden("this needs a signed-in session, not an API token") : await next(invocation);
        });
}

/// <summary>Endpoint metadata: the least role an endpoint needs, and whether in the route's environment. The OpenAPI document carries it as x-ward-role.</summary>
public sealed record RequiredRole(string Minimum, string? EnvironmentRouteValue)
{
    public bool SessionOnly { get; init; }

    /// <summary>The role is needed globally or in any one environment (the endpoint shows only what the caller may see).</summary>
    public bool Anywhere { get; init; }

    /// <summary>The OpenAPI x-ward-scope: session, any-environment, global or environment.</summary>
    public string Scope => SessionOnly ? "session" : Anywhere ? "any-environment" : EnvironmentRouteValue is null ? "global" : "environment";
}
