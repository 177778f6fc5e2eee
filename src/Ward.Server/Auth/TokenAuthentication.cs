using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ward.Server.Auth;

/// <summary>Authenticates <c>Authorization: Bearer ward_...</c> personal API tokens.</summary>
public sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, PrincipalCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "token";
    public const string Prefix = "ward_";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return AuthenticateResult.Fail("not a Ward token");
        }

        var principal = await cache.TokenAsync(token, Context.RequestAborted);
        if (principal is null)
        {
            return AuthenticateResult.Fail("unknown, revoked or expired token");
        }

        Context.Items[typeof(WardPrincipal)] = principal;
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, principal.UserId.ToString()), new Claim(ClaimTypes.Name, principal.UserName)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
