using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ward.Server.Auth;
using Ward.Server.Services;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Api;

/// <summary>First-run setup, sign-in with two factors, sign-out, and two-factor enrolment.</summary>
public static class SessionEndpoints
{
    /// <summary>A cookie that only allows two-factor enrolment: an owner or admin signed in without a second factor yet.</summary>
    public const string StageClaim = "ward:stage";

    public sealed record SetupRequest(string Code, string UserName, string Password, string? DisplayName);

    public sealed record SignInRequest(string UserName, string Password, string? Code);

    public sealed record TotpConfirmRequest(string Code);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/setup", (SetupState setup) => Results.Ok(new { needed = setup.Needed }))
            .WithSummary("Whether the server still needs its first owner").AllowAnonymous();

        api.MapPost("/setup", SetupAsync).WithSummary("Create the first owner with the one-time setup code from the server's log").AllowAnonymous();
        api.MapPost("/session", SignInAsync).WithSummary("Sign in (user name, password, and a TOTP code when required)").AllowAnonymous().RequireRateLimiting("sign-in");
        api.MapGet("/session", CurrentAsync).WithSummary("Who is signed in, their roles, and the CSRF token for the console").AllowAnonymous();
        api.MapDelete("/session", SignOutAsync).WithSummary("Sign out").AllowAnonymous();
        api.MapPost("/session/totp", EnrollAsync).WithSummary("Start two-factor enrolment: a new TOTP secret and its otpauth URI").RequiresSignInCookie();
        api.MapPost("/session/totp/confirm", ConfirmAsync).WithSummary("Finish two-factor enrolment with a code from the authenticator").RequiresSignInCookie();
    }

    private static async Task<IResult> SetupAsync(SetupRequest request, HttpContext context, SetupState setup, StoreOptions store, AuditLog audit, TimeProvider time)
    {
        if (!setup.Needed)
        {
            return Problems.Conflict("setup_done", "the server has its owner already; sign in instead");
        }

        if (UserNameProblem(request.UserName) is { } nameProblem)
        {
            return Problems.BadRequest("invalid_user_name", nameProblem);
        }

        if (PasswordHasher.Weakness(request.Password) is { } weakness)
        {
            return Problems.BadRequest("weak_password", weakness);
        }

        if (!setup.TryComplete(request.Code ?? ""))
        {
            return Problems.Forbidden("the setup code is wrong; it is printed in the server's log at start");
        }

        var user = new User { UserName = request.UserName.ToLowerInvariant(), DisplayName = request.DisplayName ?? request.UserName, PasswordHash = PasswordHasher.Hash(request.Password), CreatedAt = time.GetUtcNow() };
        await using (var db = store.CreateContext())
        {
            db.Users.Add(user);
            db.RoleGrants.Add(new RoleGrant { UserId = user.Id, Role = Roles.Owner });
            await db.SaveChangesAsync(context.RequestAborted);
        }

        await audit.RecordAsync(context, user.UserName, "setup", $"user {user.UserName}", after: new { user = user.UserName, role = Roles.Owner });
        return Results.Created("/api/v1/session", new { user = user.UserName, next = "sign in, then enrol a second factor" });
    }

    private static async Task<IResult> SignInAsync(SignInRequest request, HttpContext context, StoreOptions store, IOptions<ServerOptions> options, AuditLog audit, IDataProtectionProvider protection, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var name = (request.UserName ?? "").Trim().ToLowerInvariant();
        await using var db = store.CreateContext();
        var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == name, context.RequestAborted);
        if (user is { LockedUntil: { } until } && until > now)
        {
            await audit.RecordAsync(context, name, "sign-in-refused", $"user {name}", after: new { reason = "locked", until });
            return Problems.Of(StatusCodes.Status423Locked, "locked", $"too many failed sign-ins; try again after {until:u}");
        }

        if (user is null || user.Disabled || !PasswordHasher.Verify(request.Password ?? "", user.PasswordHash))
        {
            if (user is not null)
            {
                await CountFailureAsync(db, user, options.Value, now, context.RequestAborted);
            }

            await audit.RecordAsync(context, name, "sign-in-failed", $"user {name}", after: new { reason = "wrong user name or password" });
            return Problems.Of(StatusCodes.Status401Unauthorized, "invalid_credentials", "wrong user name or password");
        }

        var grants = await db.RoleGrants.Where(g => g.UserId == user.Id).Select(g => g.Role).ToListAsync(context.RequestAborted);
        var highest = grants.OrderByDescending(Roles.Rank).FirstOrDefault();
        var needsTwoFactor = user.TotpEnabled || Roles.RequiresTwoFactor(highest) || options.Value.RequireTwoFactorForAll;
        var stage = "full";
        if (needsTwoFactor && !user.TotpEnabled)
        {
            // Enrolment is the only thing such a session allows.
            stage = "enroll";
        }
        else if (user.TotpEnabled)
        {
            var secret = protection.CreateProtector("Ward.Totp.v1").Unprotect(user.TotpSecret!);
            if (string.IsNullOrEmpty(request.Code))
            {
                return Problems.Of(StatusCodes.Status401Unauthorized, "two_factor_required", "enter the 6-digit code from your authenticator");
            }

            if (!Totp.Verify(secret, request.Code, now))
            {
                await CountFailureAsync(db, user, options.Value, now, context.RequestAborted);
                await audit.RecordAsync(context, name, "sign-in-failed", $"user {name}", after: new { reason = "wrong two-factor code" });
                return Problems.Of(StatusCodes.Status401Unauthorized, "invalid_two_factor", "the two-factor code is wrong or expired");
            }
        }

        user.FailedSignIns = 0;
        user.LockedUntil = null;
        await db.SaveChangesAsync(context.RequestAborted);
        await SignInCookieAsync(context, user, stage);
        await audit.RecordAsync(context, user.UserName, stage == "full" ? "sign-in" : "sign-in-enrolment", $"user {user.UserName}");
        return Results.Ok(new { user = user.UserName, stage, twoFactor = user.TotpEnabled });
    }

    private static async Task CountFailureAsync(WardDbContext db, User user, ServerOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        user.FailedSignIns++;
        if (user.FailedSignIns >= options.LockoutThreshold)
        {
            user.LockedUntil = now + options.LockoutDuration;
            user.FailedSignIns = 0;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static Task SignInCookieAsync(HttpContext context, User user, string stage)
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()), new Claim(ClaimTypes.Name, user.UserName), new Claim(StageClaim, stage)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        return context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    private static async Task<IResult> CurrentAsync(HttpContext context, IAntiforgery antiforgery, SetupState setup)
    {
        var csrf = antiforgery.GetAndStoreTokens(context).RequestToken;
        var principal = await Access.PrincipalAsync(context);
        if (principal is null)
        {
            var enrolling = context.User.FindFirstValue(StageClaim) == "enroll";
            return Results.Ok(new { signedIn = false, enrolling, setupNeeded = setup.Needed, csrfToken = csrf });
        }

        return Results.Ok(new
        {
            signedIn = true,
            user = principal.UserName,
            role = principal.HighestRole,
            grants = principal.Grants.Select(g => new { role = g.Role, environment = g.Environment }),
            csrfToken = csrf,
        });
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, AuditLog audit)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            await audit.RecordAsync(context, context.User.Identity.Name ?? "unknown", "sign-out", $"user {context.User.Identity.Name}");
        }

        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.NoContent();
    }

    private static async Task<IResult> EnrollAsync(HttpContext context, StoreOptions store, IDataProtectionProvider protection)
    {
        if (await EnrollingUserAsync(context, store) is not { } user)
        {
            return Problems.Unauthorized("sign in first");
        }

        var secret = Totp.NewSecret();
        await using var db = store.CreateContext();
        db.Attach(user);
        user.TotpSecret = protection.CreateProtector("Ward.Totp.v1").Protect(secret);
        user.TotpEnabled = false;
        await db.SaveChangesAsync(context.RequestAborted);

        // The secret is shown once, to put into an authenticator; it is stored only encrypted.
        return Results.Ok(new { secret, uri = Totp.Uri(secret, user.UserName) });
    }

    private static async Task<IResult> ConfirmAsync(TotpConfirmRequest request, HttpContext context, StoreOptions store, IDataProtectionProvider protection, AuditLog audit, TimeProvider time)
    {
        if (await EnrollingUserAsync(context, store) is not { TotpSecret: { } protectedSecret } user)
        {
            return Problems.BadRequest("not_enrolling", "start enrolment first (POST /api/v1/session/totp)");
        }

        if (!Totp.Verify(protection.CreateProtector("Ward.Totp.v1").Unprotect(protectedSecret), request.Code ?? "", time.GetUtcNow()))
        {
            return Problems.BadRequest("invalid_two_factor", "the code does not match; check the authenticator's clock and try the next code");
        }

        await using var db = store.CreateContext();
        db.Attach(user);
        user.TotpEnabled = true;
        await db.SaveChangesAsync(context.RequestAborted);
        await SignInCookieAsync(context, user, "full");
        context.RequestServices.GetRequiredService<PrincipalCache>().Forget(user.Id);
        await audit.RecordAsync(context, user.UserName, "two-factor-enrolled", $"user {user.UserName}");
        return Results.Ok(new { user = user.UserName, stage = "full", twoFactor = true });
    }

    private static async Task<User?> EnrollingUserAsync(HttpContext context, StoreOptions store)
    {
        // Only a console session: an API token must never reset its user's second factor or become a session.
        if (!Access.IsCookieSession(context.User) || !Guid.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            return null;
        }

        await using var db = store.CreateContext();
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id && !u.Disabled, context.RequestAborted);
    }

    public static string? UserNameProblem(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@')
            ? "a user name is 1-64 letters, digits, '.', '-', '_' or '@'"
            : null;
}
