using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Ward.Server.Api.Models;
using Ward.Server.Auth;
using Ward.Server.Services;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Api;

/// <summary>Users, their roles (global or per environment), and personal API tokens.</summary>
public static class UserEndpoints
{
    public sealed record CreateUserRequest(string UserName, string Password, string? DisplayName);

    /// <summary>
    /// A change to a user; <c>ResetTwoFactor</c> removes their second factor and recovery codes (they enrol again at their
    /// next sign-in), the way back for someone who lost both.
    /// </summary>
    public sealed record UpdateUserRequest(string? DisplayName, string? Password, bool? Disabled, long Version, bool? ResetTwoFactor = null);

    /// <summary>A role to give; <c>Version</c> is the user's version as read (a user's roles are part of the user).</summary>
    public sealed record GrantRequest(string Role, string? Environment, long Version);

    public sealed record CreateTokenRequest(string Name, string Role, string? Environment, int? ExpiresInDays);

    public static void Map(RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");
        users.MapGet("/", ListAsync).WithName("listUsers").WithSummary("Users and their roles").Produces<IReadOnlyList<UserInfo>>().Requires(Roles.Admin);
        users.MapPost("/", CreateAsync).WithName("createUser").WithSummary("Create a user (they enrol their own second factor at first sign-in when required)")
            .Produces<UserStored>(StatusCodes.Status201Created).Fails(StatusCodes.Status409Conflict).Requires(Roles.Admin);
        users.MapPut("/{id:guid}", UpdateAsync).WithName("updateUser")
            .WithSummary("Change a user's name, password, whether they may sign in, or reset their second factor (send the version you read); a new password, a reset or disabling ends their sessions")
            .Produces<UserStored>().Fails(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).Requires(Roles.Admin);
        users.MapPost("/{id:guid}/grants", GrantAsync).WithName("grantRole").WithSummary("Give a user a role, globally or in one environment (send the user's version you read); their sessions end")
            .Produces<GrantCreated>(StatusCodes.Status201Created).Fails(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).Requires(Roles.Admin);
        users.MapDelete("/{id:guid}/grants/{grantId:guid}", RevokeAsync).WithName("revokeRole").WithSummary("Take a role away (send the user's version you read as ?version=); their sessions end")
            .Produces(StatusCodes.Status204NoContent).Fails(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).Requires(Roles.Admin);

        var tokens = api.MapGroup("/tokens").WithTags("Tokens");
        tokens.MapGet("/", TokensAsync).WithName("listTokens").WithSummary("Your API tokens (never their values)").Produces<IReadOnlyList<TokenInfo>>().RequiresSession();
        tokens.MapPost("/", CreateTokenAsync).WithName("createToken").WithSummary("Create an API token: scoped to a role and optionally one environment, expiring; shown once")
            .Produces<TokenCreated>(StatusCodes.Status201Created).RequiresSession();
        tokens.MapDelete("/{id:guid}", RevokeTokenAsync).WithName("revokeToken").WithSummary("Revoke one of your API tokens").Produces(StatusCodes.Status204NoContent).Fails(StatusCodes.Status404NotFound).RequiresSession();
    }

    private static async Task<IResult> ListAsync(HttpContext context, StoreOptions store)
    {
        await using var db = store.CreateContext();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(context.RequestAborted);
        var grants = await db.RoleGrants.AsNoTracking().ToListAsync(context.RequestAborted);
        return Results.Ok(users.Select(u => new UserInfo(
            u.Id,
            u.UserName,
            u.DisplayName,
            u.TotpEnabled,
            u.Disabled,
            u.Version,
            [.. grants.Where(g => g.UserId == u.Id).Select(g => new GrantInfo(g.Id, g.Role, g.Environment))])));
    }

    private static async Task<IResult> CreateAsync(CreateUserRequest request, HttpContext context, StoreOptions store, AuditLog audit, TimeProvider time)
    {
        if (PasswordHasher.Weakness(request.Password) is { } weakness)
        {
            return Problems.BadRequest(ProblemCodes.WeakPassword, weakness);
        }

        await using var db = store.CreateContext();
        var name = request.UserName.ToLowerInvariant();
        if (await db.Users.AnyAsync(u => u.UserName == name, context.RequestAborted))
        {
            return Problems.Conflict(ProblemCodes.UserExists, $"a user named {name} exists");
        }

        var user = new User { UserName = name, DisplayName = request.DisplayName ?? name, PasswordHash = PasswordHasher.Hash(request.Password), CreatedAt = time.GetUtcNow() };
        db.Users.Add(user);
        await db.SaveChangesAsync(context.RequestAborted);
        await audit.RecordAsync(context, (await Access.PrincipalAsync(context))!, "user-created", $"user {name}", after: new { user = name, displayName = user.DisplayName });
        return Results.Created($"/api/v1/users/{user.Id}", new UserStored(user.Id, user.UserName, user.Version));
    }

    private static async Task<IResult> UpdateAsync(Guid id, UpdateUserRequest request, HttpContext context, StoreOptions store, PrincipalCache cache, SessionStore sessions, AuditLog audit)
    {
        await using var db = store.CreateContext();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, context.RequestAborted);
        if (user is null)
        {
            return Problems.NotFound(ProblemCodes.UserNotFound, $"there is no user {id}");
        }

        if (request.Password is { } password && PasswordHasher.Weakness(password) is { } weakness)
        {
            return Problems.BadRequest(ProblemCodes.WeakPassword, weakness);
        }

        var caller = (await Access.PrincipalAsync(context))!;
        if (!await MayManageAsync(db, caller, id, context.RequestAborted))
        {
            return Problems.Forbidden("only an owner may change an owner");
        }

        var before = new { displayName = user.DisplayName, disabled = user.Disabled };
        db.Entry(user).Property(u => u.Version).OriginalValue = request.Version;
        user.DisplayName = request.DisplayName ?? user.DisplayName;
        user.Disabled = request.Disabled ?? user.Disabled;
        if (request.Password is not null)
        {
            user.PasswordHash = PasswordHasher.Hash(request.Password);
        }

        var resetTwoFactor = request.ResetTwoFactor == true;
        if (resetTwoFactor)
        {
            (user.TotpSecret, user.PendingTotpSecret, user.TotpEnabled, user.TotpLastStep) = (null, null, false, null);
            await db.RecoveryCodes.Where(c => c.UserId == id).ExecuteDeleteAsync(context.RequestAborted);
        }

        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Stale($"user {user.UserName}");
        }

        // Whoever holds a session from before a new password, a reset second factor or the account's disabling is out.
        if (request.Password is not null || resetTwoFactor || user.Disabled)
        {
            await sessions.EndAllAsync(id, context.RequestAborted);
        }

        cache.Forget(id);
        cache.ForgetTokens();
        await audit.RecordAsync(context, caller, "user-updated", $"user {user.UserName}", before,
            new { displayName = user.DisplayName, disabled = user.Disabled, passwordChanged = request.Password is not null, twoFactorReset = resetTwoFactor });
        return Results.Ok(new UserStored(user.Id, user.UserName, user.Version));
    }

    private static async Task<IResult> GrantAsync(Guid id, GrantRequest request, HttpContext context, StoreOptions store, PrincipalCache cache, SessionStore sessions, AuditLog audit)
    {
        if (!Roles.IsValid(request.Role ?? ""))
        {
            return Problems.BadRequest(ProblemCodes.InvalidRole, $"role '{request.Role}' is not one of {string.Join(", ", Roles.All)}");
        }

        var caller = (await Access.PrincipalAsync(context))!;
        if (!Roles.AtLeast(caller.RoleIn(request.Environment), request.Role!) || (request.Role == Roles.Owner && caller.RoleIn(null) != Roles.Owner))
        {
            return Problems.Forbidden($"you cannot give the role {request.Role}{(request.Environment is null ? "" : $" in {request.Environment}")}: it is above your own");
        }

        await using var db = store.CreateContext();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, context.RequestAborted);
        if (user is null)
        {
            return Problems.NotFound(ProblemCodes.UserNotFound, $"there is no user {id}");
        }

        if (await db.RoleGrants.AnyAsync(g => g.UserId == id && g.Role == request.Role && g.Environment == request.Environment, context.RequestAborted))
        {
            return Problems.Conflict(ProblemCodes.GrantExists, "the user has this role already");
        }

        var grant = new RoleGrant { UserId = id, Role = request.Role!, Environment = request.Environment };
        db.RoleGrants.Add(grant);
        if (!await SaveWithUserVersionAsync(db, user, request.Version, context.RequestAborted))
        {
            return Problems.Stale($"user {user.UserName}");
        }

        // Their sessions end: they sign in again under the new roles (and enrol a second factor if these need one).
        await sessions.EndAllAsync(id, context.RequestAborted);
        cache.Forget(id);
        await audit.RecordAsync(context, caller, "role-granted", $"user {user.UserName}", after: new { role = grant.Role, environment = grant.Environment });
        return Results.Created($"/api/v1/users/{id}/grants/{grant.Id}", new GrantCreated(grant.Id, grant.Role, grant.Environment, user.Version));
    }

    /// <summary>
    /// Saves a change to a user's roles as a change of the user: at the version the caller read, which it then bumps,
    /// so two admins changing one user's roles at once conflict instead of both winning.
    /// </summary>
    private static async Task<bool> SaveWithUserVersionAsync(WardDbContext db, User user, long version, CancellationToken cancellationToken)
    {
        var entry = db.Entry(user).Property(u => u.Version);
        entry.OriginalValue = version;
        entry.IsModified = true;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }

    private static async Task<IResult> RevokeAsync(Guid id, Guid grantId, long version, HttpContext context, StoreOptions store, PrincipalCache cache, SessionStore sessions, AuditLog audit)
    {
        await using var db = store.CreateContext();
        var grant = await db.RoleGrants.FirstOrDefaultAsync(g => g.Id == grantId && g.UserId == id, context.RequestAborted);
        if (grant is null)
        {
            return Problems.NotFound(ProblemCodes.GrantNotFound, $"the user has no grant {grantId}");
        }

        var caller = (await Access.PrincipalAsync(context))!;
        if (!Roles.AtLeast(caller.RoleIn(grant.Environment), grant.Role))
        {
            return Problems.Forbidden($"you cannot take away the role {grant.Role}: it is above your own");
        }

        if (grant is { Role: Roles.Owner, Environment: null } && await db.RoleGrants.CountAsync(g => g.Role == Roles.Owner && g.Environment == null, context.RequestAborted) == 1)
        {
            return Problems.Conflict(ProblemCodes.LastOwner, "this is the last owner; give someone else the owner role first");
        }

        if (await db.Users.FirstOrDefaultAsync(u => u.Id == id, context.RequestAborted) is not { } user)
        {
            return Problems.NotFound(ProblemCodes.UserNotFound, $"there is no user {id}");
        }

        db.RoleGrants.Remove(grant);
        if (!await SaveWithUserVersionAsync(db, user, version, context.RequestAborted))
        {
            return Problems.Stale($"user {user.UserName}");
        }

        await sessions.EndAllAsync(id, context.RequestAborted);
        cache.Forget(id);
        await audit.RecordAsync(context, caller, "role-revoked", $"user {id}", before: new { role = grant.Role, environment = grant.Environment });
        return Results.NoContent();
    }

    private static async Task<bool> MayManageAsync(WardDbContext db, WardPrincipal caller, Guid target, CancellationToken cancellationToken) =>
        caller.RoleIn(null) == Roles.Owner || !await db.RoleGrants.AnyAsync(g => g.UserId == target && g.Role == Roles.Owner, cancellationToken);

    private static async Task<IResult> TokensAsync(HttpContext context, StoreOptions store)
    {
        var caller = (await Access.PrincipalAsync(context))!;
        await using var db = store.CreateContext();
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == caller.UserId && !t.Revoked).OrderByDescending(t => t.CreatedAt).ToListAsync(context.RequestAborted);
        return Results.Ok(tokens.Select(t => new TokenInfo(t.Id, t.Name, t.Prefix, t.Role, t.Environment, t.CreatedAt, t.ExpiresAt, t.LastUsedAt)));
    }

    private static async Task<IResult> CreateTokenAsync(CreateTokenRequest request, HttpContext context, StoreOptions store, AuditLog audit, TimeProvider time, Microsoft.Extensions.Options.IOptions<ServerOptions> options)
    {
        var caller = (await Access.PrincipalAsync(context))!;
        if (!Roles.IsValid(request.Role ?? ""))
        {
            return Problems.BadRequest(ProblemCodes.InvalidRole, $"role '{request.Role}' is not one of {string.Join(", ", Roles.All)}");
        }

        if (!Roles.AtLeast(caller.RoleIn(request.Environment), request.Role!))
        {
            return Problems.Forbidden($"a token cannot do more than you: you are {caller.RoleIn(request.Environment) ?? "nothing"}{(request.Environment is null ? "" : $" in {request.Environment}")}");
        }

        // Out of range is refused, never clamped: a script asking for 0 days must not get a token that lives one.
        var maximum = options.Value.TokenMaxLifetime;
        if (request.ExpiresInDays is < 1 || TimeSpan.FromDays(Math.Min(request.ExpiresInDays ?? 0, 100_000)) > maximum)
        {
            return Problems.BadRequest(ProblemCodes.TokenLifetime, $"expiresInDays is at least 1 and at most {maximum.TotalDays:0} (Ward:TokenMaxLifetime)");
        }

        var lifetime = request.ExpiresInDays is { } days ? TimeSpan.FromDays(days) : TimeSpan.FromDays(Math.Min(90, maximum.TotalDays));

        // 32 random bytes, url-safe: the token is shown once and stored only as its SHA-256.
        var token = TokenAuthenticationHandler.Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var stored = new ApiToken
        {
            UserId = caller.UserId,
            Name = request.Name,
            Prefix = token[..12],
            Hash = PrincipalCache.HashToken(token),
            Role = request.Role!,
            Environment = request.Environment,
            CreatedAt = time.GetUtcNow(),
            ExpiresAt = time.GetUtcNow() + lifetime,
        };
        await using var db = store.CreateContext();
        db.ApiTokens.Add(stored);
        await db.SaveChangesAsync(context.RequestAborted);
        await audit.RecordAsync(context, caller, "token-created", $"token {stored.Prefix}…", after: new { name = stored.Name, role = stored.Role, environment = stored.Environment, expiresAt = stored.ExpiresAt });
        return Results.Created($"/api/v1/tokens/{stored.Id}", new TokenCreated(stored.Id, token, stored.Prefix, stored.Role, stored.Environment, stored.ExpiresAt, "this is the only time the token is shown"));
    }

    private static async Task<IResult> RevokeTokenAsync(Guid id, HttpContext context, StoreOptions store, PrincipalCache cache, AuditLog audit)
    {
        var caller = (await Access.PrincipalAsync(context))!;
        await using var db = store.CreateContext();
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == id && t.UserId == caller.UserId, context.RequestAborted);
        if (token is null)
        {
            return Problems.NotFound(ProblemCodes.TokenNotFound, $"you have no token {id}");
        }

        token.Revoked = true;
        await db.SaveChangesAsync(context.RequestAborted);
        cache.ForgetTokens();
        await audit.RecordAsync(context, caller, "token-revoked", $"token {token.Prefix}…");
        return Results.NoContent();
    }
}
