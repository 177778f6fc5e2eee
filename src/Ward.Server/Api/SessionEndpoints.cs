using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ward.Server.Api.Models;
using Ward.Server.Auth;
using Ward.Server.Services;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Api;

/// <summary>First-run setup, sign-in with two factors, sign-out, and two-factor enrolment.</summary>
public static class SessionEndpoints
{
    public sealed record SetupRequest(string Code, string UserName, string Password, string? DisplayName);

    /// <summary>A sign-in: the password, and the authenticator's code or one of the recovery codes when the user has a second factor.</summary>
    public sealed record SignInRequest(string UserName, string Password, string? Code, string? RecoveryCode);

    /// <summary>Starting an enrolment while a second factor is in use needs a code from it, or a recovery code.</summary>
    public sealed record TotpStartRequest(string? Code, string? RecoveryCode);

    public sealed record TotpConfirmRequest(string Code);

    /// <summary>What anyone may send to the endpoints open to everyone.</summary>
    private sealed record AnonymousBodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

    /// <summary>
    /// A password hash that matches nothing, checked when the user name is unknown so that the answer takes as long as
    /// for a known one.
    /// </summary>
    private static readonly Lazy<string> UnknownUserHash = new(() => PasswordHasher.Hash(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))));

    public static void Map(RouteGroupBuilder api)
    {
        var small = new AnonymousBodyLimit(RequestGuards.MaxAnonymousBodyBytes);
        api.MapGet("/setup", async (SetupState setup, HttpContext context) => Results.Ok(new SetupNeeded(await setup.NeededAsync(context.RequestAborted))))
            .WithName("getSetup").WithTags("Session").WithSummary("Whether the server still needs its first owner").Produces<SetupNeeded>().AllowAnonymous();

        api.MapPost("/setup", SetupAsync).WithName("setUp").WithTags("Session").WithSummary("Create the first owner with the one-time setup code from the server's log")
            .Produces<SetupDone>(StatusCodes.Status201Created).Fails(StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict).AllowAnonymous().WithMetadata(small);
        api.MapPost("/session", SignInAsync).WithName("signIn").WithTags("Session").WithSummary("Sign in (user name, password, and a TOTP code or a recovery code when required)")
            .Produces<SignedIn>().Fails(StatusCodes.Status401Unauthorized).AllowAnonymous().RequireRateLimiting("sign-in").WithMetadata(small);
        api.MapGet("/session", CurrentAsync).WithName("getSession").WithTags("Session").WithSummary("Who is signed in, their roles, and the CSRF token for the console").Produces<SessionInfo>().AllowAnonymous();
        api.MapDelete("/session", SignOutAsync).WithName("signOut").WithTags("Session").WithSummary("Sign out: the session ends on every replica").Produces(StatusCodes.Status204NoContent).AllowAnonymous();
        api.MapPost("/session/totp", EnrollAsync).WithName("startTotpEnrolment").WithTags("Session")
            .WithSummary("Start two-factor enrolment: a new TOTP secret and its otpauth URI (with a second factor in use: send a code from it, or a recovery code)")
            .Produces<TotpEnrolment>().Fails(StatusCodes.Status429TooManyRequests).RequiresSignInCookie();
        api.MapPost("/session/totp/confirm", ConfirmAsync).WithName("confirmTotpEnrolment").WithTags("Session")
            .WithSummary("Finish two-factor enrolment with a code from the new authenticator; answers new recovery codes, shown once")
            .Produces<TotpEnrolled>().RequiresSignInCookie();
    }

    private static async Task<IResult> SetupAsync(SetupRequest request, HttpContext context, SetupState setup, AuditLog audit, TimeProvider time)
    {
        if (!await setup.NeededAsync(context.RequestAborted))
        {
            return Problems.Conflict(ProblemCodes.SetupDone, "the server has its owner already; sign in instead");
        }

        if (PasswordHasher.Weakness(request.Password) is { } weakness)
        {
            return Problems.BadRequest(ProblemCodes.WeakPassword, weakness);
        }

        if (!setup.Matches(request.Code))
        {
            return Problems.Forbidden("the setup code is wrong; it is printed in the server's log at start");
        }

        var now = time.GetUtcNow();
        var user = new User { UserName = request.UserName.ToLowerInvariant(), DisplayName = request.DisplayName ?? request.UserName, PasswordHash = PasswordHasher.Hash(request.Password), CreatedAt = now };
        if (!await setup.TryCompleteAsync(user, new RoleGrant { UserId = user.Id, Role = Roles.Owner }, now, context.RequestAborted))
        {
            return Problems.Conflict(ProblemCodes.SetupDone, "the server has its owner already; sign in instead");
        }

        await audit.RecordAsync(context, user.UserName, "setup", $"user {user.UserName}", after: new { user = user.UserName, role = Roles.Owner });
        return Results.Created("/api/v1/session", new SetupDone(user.UserName, "sign in, then enrol a second factor"));
    }

    /// <summary>
    /// Sign-in. Known and unknown names get the same answers and take as long (a password is checked either way); failed
    /// attempts slow down their sender (<see cref="SignInThrottle"/>), never lock the account.
    /// </summary>
    private static async Task<IResult> SignInAsync(SignInRequest request, HttpContext context, StoreOptions store, IOptions<ServerOptions> options, AuditLog audit,
        SignInThrottle throttle, KnownDevices devices, SecondFactor secondFactor, SessionStore sessions)
    {
        var name = request.UserName.ToLowerInvariant();
        var keys = SignInThrottle.For(name, ClientAddress.Of(context), devices.DeviceOf(context, name));
        if (await throttle.HeldBackAsync(keys, context.RequestAborted) is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            await audit.RecordAsync(context, name, "sign-in-refused", $"user {name}", after: new { reason = "back-off after failed sign-ins", seconds });
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.SignInBackoff,
                $"too many failed sign-ins from here; wait {seconds} s and try again", new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
        }

        User? user;
        await using (var db = store.CreateContext())
        {
            user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserName == name, context.RequestAborted);
        }

        var passwordMatches = PasswordHasher.Verify(request.Password, user?.PasswordHash ?? UnknownUserHash.Value) && user is not null;
        if (!passwordMatches || user!.Disabled)
        {
            await throttle.FailedAsync(keys, context.RequestAborted);
            await audit.RecordAsync(context, name, "sign-in-failed", $"user {name}", after: new { reason = "wrong user name or password" });
            return Problems.Of(StatusCodes.Status401Unauthorized, ProblemCodes.InvalidCredentials, "wrong user name or password");
        }

        var stage = SessionStore.FullStage;
        int? recoveryCodesLeft = null;
        if (user.TotpEnabled)
        {
            if (string.IsNullOrEmpty(request.Code) && string.IsNullOrEmpty(request.RecoveryCode))
            {
                return Problems.Of(StatusCodes.Status401Unauthorized, ProblemCodes.TwoFactorRequired, "enter the 6-digit code from your authenticator, or one of your recovery codes");
            }

            var viaRecovery = string.IsNullOrEmpty(request.Code);
            if (!(viaRecovery ? await secondFactor.UseRecoveryCodeAsync(user.Id, request.RecoveryCode!, context.RequestAborted) : await secondFactor.AcceptCodeAsync(user, request.Code!, context.RequestAborted)))
            {
                await throttle.FailedAsync(keys, context.RequestAborted);
                await audit.RecordAsync(context, name, "sign-in-failed", $"user {name}", after: new { reason = viaRecovery ? "wrong or used recovery code" : "wrong, expired or used two-factor code" });
                return Problems.Of(StatusCodes.Status401Unauthorized, ProblemCodes.InvalidTwoFactor, viaRecovery ? "the recovery code is wrong or was used" : "the two-factor code is wrong or expired, or was used already; wait for the next one");
            }

            if (viaRecovery)
            {
                recoveryCodesLeft = await secondFactor.RecoveryCodesLeftAsync(user.Id, context.RequestAborted);
                await audit.RecordAsync(context, name, "recovery-code-used", $"user {name}", after: new { left = recoveryCodesLeft });
            }
        }
        else if (await NeedsTwoFactorAsync(store, user, options.Value, context.RequestAborted))
        {
            // Enrolment is the only thing such a session allows.
            stage = SessionStore.EnrollStage;
        }

        await throttle.SucceededAsync(keys, context.RequestAborted);
        await sessions.StartAsync(context, user, stage);
        if (stage == SessionStore.FullStage)
        {
            devices.Remember(context, name);
        }

        await audit.RecordAsync(context, user.UserName, stage == SessionStore.FullStage ? "sign-in" : "sign-in-enrolment", $"user {user.UserName}");
        return Results.Ok(new SignedIn(user.UserName, stage, user.TotpEnabled, recoveryCodesLeft));
    }

    private static async Task<bool> NeedsTwoFactorAsync(StoreOptions store, User user, ServerOptions options, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        var roles = await db.RoleGrants.Where(g => g.UserId == user.Id).Select(g => g.Role).ToListAsync(cancellationToken);
        return options.RequireTwoFactorForAll || Roles.RequiresTwoFactor(roles.OrderByDescending(Roles.Rank).FirstOrDefault());
    }

    private static async Task<IResult> CurrentAsync(HttpContext context, IAntiforgery antiforgery, SetupState setup)
    {
        var csrf = antiforgery.GetAndStoreTokens(context).RequestToken;
        var principal = await Access.PrincipalAsync(context);
        if (principal is null)
        {
            var enrolling = context.User.FindFirstValue(SessionStore.StageClaim) == SessionStore.EnrollStage;
            return Results.Ok(new SessionInfo(SignedIn: false, csrf!, Enrolling: enrolling, SetupNeeded: await setup.NeededAsync(context.RequestAborted)));
        }

        return Results.Ok(new SessionInfo(SignedIn: true, csrf!, User: principal.UserName, Role: principal.HighestRole, Grants: [.. principal.Grants.Select(g => new RoleHeld(g.Role, g.Environment))]));
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, AuditLog audit, SessionStore sessions)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            await audit.RecordAsync(context, context.User.Identity.Name ?? "unknown", "sign-out", $"user {context.User.Identity.Name}");
        }

        await sessions.EndCurrentAsync(context);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.NoContent();
    }

    /// <summary>
    /// Starts an enrolment: a new secret, kept apart from the one in use until a code from it is confirmed. With a factor
    /// in use, a code from it (or a recovery code) must come with the request: a stolen password or an unattended session
    /// cannot replace it.
    /// </summary>
    private static async Task<IResult> EnrollAsync(TotpStartRequest? request, HttpContext context, StoreOptions store, SecondFactor secondFactor, SignInThrottle throttle, AuditLog audit)
    {
        if (await SessionUserAsync(context, store) is not { } user)
        {
            return Problems.Unauthorized("sign in first");
        }

        if (user.TotpEnabled)
        {
            var keys = SignInThrottle.ForFactorChange(user.UserName);
            if (await throttle.HeldBackAsync(keys, context.RequestAborted) is { } wait)
            {
                return Problems.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.SignInBackoff, $"too many wrong codes; wait {(int)Math.Ceiling(wait.TotalSeconds)} s and try again");
            }

            var proven = !string.IsNullOrEmpty(request?.Code) ? await secondFactor.AcceptCodeAsync(user, request.Code, context.RequestAborted)
                : !string.IsNullOrEmpty(request?.RecoveryCode) && await secondFactor.UseRecoveryCodeAsync(user.Id, request.RecoveryCode, context.RequestAborted);
            if (!proven)
            {
                await throttle.FailedAsync(keys, context.RequestAborted);
                return Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.CurrentFactorRequired,
                    "you have a second factor: send a current code from your authenticator (code), or one of your recovery codes (recoveryCode), to replace it");
            }

            await throttle.SucceededAsync(keys, context.RequestAborted);
        }

        var secret = Totp.NewSecret();
        await using var db = store.CreateContext();
        db.Attach(user);
        user.PendingTotpSecret = secondFactor.Protect(secret);
        await db.SaveChangesAsync(context.RequestAborted);
        await audit.RecordAsync(context, user.UserName, "two-factor-enrolment-started", $"user {user.UserName}");

        // The secret is shown once, to put into an authenticator; it is stored only encrypted.
        return Results.Ok(new TotpEnrolment(secret, Totp.Uri(secret, user.UserName)));
    }

    /// <summary>
    /// Confirms the pending secret with a code from it: it becomes the factor in use, the user's other sessions end, this
    /// one continues as a new session, and a new set of recovery codes replaces the old, shown this once.
    /// </summary>
    private static async Task<IResult> ConfirmAsync(TotpConfirmRequest request, HttpContext context, StoreOptions store, SecondFactor secondFactor, SessionStore sessions, KnownDevices devices, PrincipalCache cache, AuditLog audit)
    {
        if (await SessionUserAsync(context, store) is not { PendingTotpSecret: not null } user)
        {
            return Problems.BadRequest(ProblemCodes.NotEnrolling, "start enrolment first (POST /api/v1/session/totp)");
        }

        if (secondFactor.PendingStep(user, request.Code) is not { } step)
        {
            return Problems.BadRequest(ProblemCodes.InvalidTwoFactor, "the code does not match; check the authenticator's clock and try the next code");
        }

        IReadOnlyList<string> recoveryCodes;
        await using (var db = store.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(context.RequestAborted);
            db.Attach(user);
            user.TotpSecret = user.PendingTotpSecret;
            user.PendingTotpSecret = null;
            user.TotpEnabled = true;

            // The confirming code counts as used: it cannot sign in again.
            user.TotpLastStep = step;
            recoveryCodes = await SecondFactor.ReplaceRecoveryCodesAsync(db, user.Id, context.RequestAborted);
            await db.SaveChangesAsync(context.RequestAborted);
            await transaction.CommitAsync(context.RequestAborted);
        }

        await sessions.EndAllAsync(user.Id, context.RequestAborted);
        await sessions.StartAsync(context, user, SessionStore.FullStage);
        devices.Remember(context, user.UserName);
        cache.Forget(user.Id);
        await audit.RecordAsync(context, user.UserName, "two-factor-enrolled", $"user {user.UserName}");
        return Results.Ok(new TotpEnrolled(user.UserName, SessionStore.FullStage, TwoFactor: true, recoveryCodes, "keep the recovery codes somewhere safe: this is the only time they are shown"));
    }

    /// <summary>The user of the request's console session (any stage); never an API token's user.</summary>
    private static async Task<User?> SessionUserAsync(HttpContext context, StoreOptions store)
    {
        if (!Access.IsCookieSession(context.User) || !Guid.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            return null;
        }

        await using var db = store.CreateContext();
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id && !u.Disabled, context.RequestAborted);
    }
}
