using Microsoft.EntityFrameworkCore;
using Ward.Server.Api.Models;
using Ward.Server.Auth;
using Ward.Server.Services;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Api;

/// <summary>Secrets: create and rotate. Values are write-only: no response, log line or audit entry ever holds one.</summary>
public static class SecretEndpoints
{
    /// <summary>A new value; <c>Version</c>, when given, is the secret's version as read, and a stale one is refused.</summary>
    public sealed record SetSecretRequest(string Value, long? Version);

    public static void Map(RouteGroupBuilder api)
    {
        var secrets = api.MapGroup("/environments/{name}/secrets").WithTags("Secrets");
        secrets.MapGet("/", ListAsync).WithName("listSecrets").WithSummary("The environment's secrets: declared in the file, whether Ward holds a value, when it was set")
            .Produces<IReadOnlyList<SecretInfo>>().Fails(StatusCodes.Status404NotFound).Requires(Roles.Viewer, "name");
        secrets.MapPut("/{key}", SetAsync).WithName("setSecret").WithSummary("Create or rotate a secret's value (write-only; the next apply moves services to it)")
            .Produces<SecretStored>().Fails(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).Requires(Roles.Deployer, "name");
    }

    private static async Task<IResult> ListAsync(string name, HttpContext context, EnvironmentService environments, StoreOptions store)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
        }

        await using var db = store.CreateContext();
        var stored = await db.Secrets.AsNoTracking().Where(s => s.Environment == name).ToListAsync(context.RequestAborted);
        var declared = environment.Spec.Secrets;
        return Results.Ok(declared.Select(d => d.Key).Union(stored.Select(s => s.Key)).Order(StringComparer.Ordinal).Select(key =>
        {
            var spec = declared.FirstOrDefault(d => d.Key == key);
            var value = stored.FirstOrDefault(s => s.Key == key);
            return new SecretInfo(
                key,
                spec is not null,
                spec is null ? "not in the file" : spec.External ? "external" : spec.File is not null ? "file" : "ward",
                value is not null,
                value?.UpdatedAt,
                value?.UpdatedBy,
                value?.Version);
        }));
    }

    private static async Task<IResult> SetAsync(string name, string key, SetSecretRequest request, HttpContext context, StoreOptions store, SecretVault vault, AuditLog audit, TimeProvider time)
    {
        if (string.IsNullOrEmpty(request.Value))
        {
            return Problems.BadRequest(ProblemCodes.EmptySecret, "a secret needs a value");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(request.Value) > 500 * 1024)
        {
            return Problems.BadRequest(ProblemCodes.SecretTooLarge, "Swarm allows secrets of at most 500 KB");
        }

        if (!Model.Reading.EnvironmentFormat.IsObjectName(key))
        {
            return Problems.BadRequest(ProblemCodes.InvalidSecretKey, "a secret key is letters, digits, '.', '_' and '-'");
        }

        await using var db = store.CreateContext();
        if (!await db.Environments.AnyAsync(e => e.Name == name, context.RequestAborted))
        {
            return Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
        }

        var principal = (await Access.PrincipalAsync(context))!;
        var secret = await db.Secrets.FirstOrDefaultAsync(s => s.Environment == name && s.Key == key, context.RequestAborted);
        var created = secret is null;
        if (secret is null)
        {
            if (request.Version is { } expected && expected != 0)
            {
                return Problems.Stale($"secret {name}/{key}");
            }

            secret = new StoredSecret { Environment = name, Key = key, ProtectedValue = "", ContentHash = "" };
            db.Secrets.Add(secret);
        }
        else if (request.Version is { } read)
        {
            db.Entry(secret).Property(s => s.Version).OriginalValue = read;
        }

        secret.ProtectedValue = vault.Protect(request.Value);
        secret.ContentHash = vault.Fingerprint(request.Value);
        secret.UpdatedAt = time.GetUtcNow();
        secret.UpdatedBy = principal.UserName;
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Stale($"secret {name}/{key}");
        }

        await audit.RecordAsync(context, principal, created ? "secret-created" : "secret-rotated", $"secret {name}/{key}", after: new { key, version = secret.Version });
        return Results.Ok(new SecretStored(key, secret.Version, secret.UpdatedAt, "apply the environment to move its services to the new value"));
    }
}
