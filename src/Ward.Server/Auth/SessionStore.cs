using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Auth;

/// <summary>
/// Console sessions, kept in the store. The cookie names a session; every request with the cookie finds its session in
/// the store (one read by primary key), so a session that was ended — signed out, or ended by a change to its user's
/// password, second factor, roles or status — stops at once, on every replica.
/// </summary>
public sealed class SessionStore(StoreOptions store, TimeProvider time, IOptions<ServerOptions> options)
{
    /// <summary>The stage of a session: <see cref="FullStage"/>, or <see cref="EnrollStage"/> (it may only enrol a second factor).</summary>
    public const string StageClaim = "ward:stage";

    public const string SessionClaim = "ward:session";

    public const string FullStage = "full";

    public const string EnrollStage = "enroll";

    /// <summary>How stale a session's "last seen" may get: at most one write per session a minute.</summary>
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    /// <summary>Starts a session for the user and sets its cookie; the request's previous session, if any, ends.</summary>
    public async Task StartAsync(HttpContext context, User user, string stage)
    {
        await EndCurrentAsync(context);
        var now = time.GetUtcNow();
        var session = new Session { UserId = user.Id, Stage = stage, CreatedAt = now, LastSeenAt = now };
        await using (var db = store.CreateContext())
        {
            // Sessions idle past the timeout can never be used again (their cookies have expired): tidy them where sessions are made.
            var idle = now - options.Value.IdleTimeout - TouchEvery;
            await db.Sessions.Where(s => s.LastSeenAt < idle).ExecuteDeleteAsync(context.RequestAborted);
            db.Sessions.Add(session);
            await db.SaveChangesAsync(context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
                new Claim(ClaimTypes.Name, user.UserName),
                new Claim(StageClaim, stage),
                new Claim(SessionClaim, session.Id.ToString()),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        context.User = new ClaimsPrincipal(identity);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, context.User);
    }

    /// <summary>Ends the request's own session (signing out).</summary>
    public async Task EndCurrentAsync(HttpContext context)
    {
        if (SessionOf(context.User) is { } id)
        {
            await using var db = store.CreateContext();
            await db.Sessions.Where(s => s.Id == id).ExecuteDeleteAsync(context.RequestAborted);
        }
    }

    /// <summary>Ends every session of the user, except <paramref name="keep"/> when given.</summary>
    public async Task EndAllAsync(Guid userId, CancellationToken cancellationToken, Guid? keep = null)
    {
        await using var db = store.CreateContext();
        await db.Sessions.Where(s => s.UserId == userId && (keep == null || s.Id != keep)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>For the cookie handler on every request: a cookie whose session is no longer in the store signs nobody in.</summary>
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        Session? session = null;
        if (SessionOf(principal) is { } id && Guid.TryParse(principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            await using var db = store.CreateContext();
            session = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id && s.UserId == userId, context.HttpContext.RequestAborted);
            var now = time.GetUtcNow();
            if (session is not null && now - session.LastSeenAt > TouchEvery)
            {
                await db.Sessions.Where(s => s.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now), context.HttpContext.RequestAborted);
            }
        }

        if (session is null || session.Stage != principal!.FindFirstValue(StageClaim))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    public static Guid? SessionOf(ClaimsPrincipal? user) =>
        Guid.TryParse(user?.FindFirstValue(SessionClaim), out var id) && Access.IsCookieSession(user!) ? id : null;
}
