using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Ward.Server.Api;

namespace Ward.Server.Auth;

/// <summary>
/// Role checks: <c>.Requires(Roles.Deployer, "name")</c> marks an endpoint for callers who hold at least deployer in the
/// environment named by the route value <c>name</c> (or globally). <see cref="CheckAsync"/> enforces the marks as
/// middleware, before the endpoint reads its body: 401 when nobody is signed in, 403 when the role is not enough, and
/// 403 for an endpoint that declares neither a role nor that anyone may call it.
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
            context.User.FindFirstValue(SessionStore.StageClaim) is not (null or SessionStore.FullStage) ||
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
        builder.WithMetadata(new RequiredRole(minimum, environmentRouteValue));

    /// <summary>
    /// Lets through callers who hold at least <paramref name="minimum"/> globally or in any one environment (a token: in
    /// its environment); the endpoint itself limits what it shows to the environments the caller may see.
    /// </summary>
    public static TBuilder RequiresAnywhere<TBuilder>(this TBuilder builder, string minimum)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(minimum, null) { Anywhere = true });

    /// <summary>
    /// A signed-in console session at any stage, including one that still has to enrol its second factor; never an API
    /// token (a token must not be able to change its user's second factor or turn itself into a session).
    /// </summary>
    public static TBuilder RequiresSignInCookie<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(SignedIn, null) { SessionOnly = true });

    /// <summary>Only signed-in people (not tokens): managing tokens and sessions.</summary>
    public static TBuilder RequiresSession<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(Roles.Viewer, null) { SessionOnly = true });

    /// <summary>The least "role" of endpoints that any signed-in session may use, whatever its roles.</summary>
    public const string SignedIn = "signed-in";

    public static bool IsCookieSession(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, AuthenticationType: Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme };

    /// <summary>The middleware: the endpoint's mark, checked against the caller, before the endpoint runs.</summary>
    public static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        // No endpoint, or one the framework made to refuse a method or content type the route does not take: nothing to check.
        if (context.GetEndpoint() is not RouteEndpoint endpoint)
        {
            await next(context);
            return;
        }

        var required = endpoint.Metadata.GetMetadata<RequiredRole>();
        var refusal = required is null
            ? endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null ? Problems.Forbidden("this endpoint declares no role; nobody may call it") : null
            : await RefusalAsync(context, required);
        if (refusal is null)
        {
            await next(context);
        }
        else
        {
            await refusal.ExecuteAsync(context);
        }
    }

    private static async Task<IResult?> RefusalAsync(HttpContext context, RequiredRole required)
    {
        if (required.Minimum == SignedIn)
        {
            var user = context.User;
            return user.Identity?.IsAuthenticated != true ? Problems.Unauthorized("sign in first")
                : IsCookieSession(user) ? null
                : Problems.Forbidden("this needs a signed-in session, not an API token");
        }

        var principal = await PrincipalAsync(context);
        if (principal is null)
        {
            return Problems.Unauthorized();
        }

        if (required.SessionOnly)
        {
            return principal.ViaToken ? Problems.Forbidden("this needs a signed-in session, not an API token") : null;
        }

        if (required.Anywhere)
        {
            var anywhere = principal.RoleAnywhere;
            return Roles.AtLeast(anywhere, required.Minimum) ? null : Problems.Forbidden($"this needs the role {required.Minimum} in at least one environment; you have {anywhere ?? "none"}");
        }

        var environment = required.EnvironmentRouteValue is null ? null : context.Request.RouteValues[required.EnvironmentRouteValue] as string;
        var role = principal.RoleIn(environment);
        if (!Roles.AtLeast(role, required.Minimum))
        {
            var where = environment is null ? "" : $" in {environment}";
            return Problems.Forbidden($"this needs the role {required.Minimum}{where}; you have {role ?? "none"}");
        }

        return null;
    }
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
