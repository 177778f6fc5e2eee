using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Ward.Deploying;
using Ward.Engine.Applying;
using Ward.Model.Spec;
using Ward.Rules.Reports;
using Ward.Server.Auth;
using Ward.Server.Services;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Api;

/// <summary>Environments: register from a file, list, show, update, remove; findings, plans, applies and status.</summary>
public static class EnvironmentEndpoints
{
    public sealed record RegisterRequest(string FileName, string Content);

    public sealed record UpdateRequest(string Content, long Version);

    /// <param name="Prune">Also remove what the environment owns but the file no longer lists.</param>
    /// <param name="Restart">Services (as named in the file) whose tasks are replaced even if their spec is unchanged.</param>
    /// <param name="ResolveImages">Pin images to their content where the server can (default true).</param>
    public sealed record PlanRequest(bool Prune, IReadOnlyList<string>? Restart, bool? ResolveImages);

    public sealed record ApplyRequest(bool Prune, bool Force, int? TimeoutSeconds, IReadOnlyList<string>? Restart, bool? ResolveImages);

    /// <summary>How long an apply started through the API waits for another apply of the same environment.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(2);

    public static void Map(RouteGroupBuilder api)
    {
        var environments = api.MapGroup("/environments").WithTags("Environments");
        environments.MapGet("/", ListAsync).WithSummary("Environments you may see, with their readiness and health").RequiresAnywhere(Roles.Viewer);
        environments.MapPost("/", RegisterAsync).WithSummary("Register an environment from its file").Requires(Roles.Admin);
        environments.MapGet("/{name}", ShowAsync).WithSummary("An environment: its file, kind and version").Requires(Roles.Viewer, "name");
        environments.MapPut("/{name}", UpdateAsync).WithSummary("Replace an environment's file (send the version you read)").Requires(Roles.Admin, "name");
        environments.MapDelete("/{name}", RemoveAsync).WithSummary("Unregister an environment (its swarm objects stay; destroy them first); ?version= refuses a stale read").Requires(Roles.Admin, "name");
        environments.MapGet("/{name}/findings", FindingsAsync).WithSummary("Readiness findings, explained and located").Requires(Roles.Viewer, "name");
        environments.MapPost("/{name}/plans", PlanAsync).WithSummary("What an apply would change, field by field").Requires(Roles.Deployer, "name");
        environments.MapPost("/{name}/applies", ApplyAsync).WithSummary("Start an apply as a long-running operation").Requires(Roles.Deployer, "name");
        environments.MapGet("/{name}/operations", OperationsAsync).WithSummary("Recent operations of an environment").Requires(Roles.Viewer, "name");
        environments.MapGet("/{name}/status", StatusAsync).WithSummary("Nodes, services, tasks and a verdict, from state kept current by watching the swarm").Requires(Roles.Viewer, "name");
    }

    private static async Task<IResult> ListAsync(HttpContext context, StoreOptions store, StatusCache status)
    {
        var principal = (await Access.PrincipalAsync(context))!;
        var visible = principal.VisibleEnvironments;
        await using var db = store.CreateContext();
        var items = await db.Environments.AsNoTracking().OrderBy(e => e.Name).Select(e => new { e.Name, e.Kind, e.FileName, e.Version, e.UpdatedAt }).ToListAsync(context.RequestAborted);
        return Results.Ok(items.Where(e => visible is null || visible.Contains(e.Name)).Select(e => new
        {
            name = e.Name,
            kind = e.Kind,
            fileName = e.FileName,
            version = e.Version,
            updatedAt = e.UpdatedAt,
            verdict = status.Get(e.Name)?.Report is { } report ? StatusCache.Health(report) : "unknown",
        }));
    }

    private static async Task<IResult> RegisterAsync(RegisterRequest request, HttpContext context, EnvironmentService environments, StoreOptions store, AuditLog audit, TimeProvider time)
    {
        var read = environments.Read(request.FileName ?? "environment.yaml", request.Content ?? "");
        if (read.Spec is not { } spec)
        {
            return InvalidFile(read);
        }

        var principal = (await Access.PrincipalAsync(context))!;
        var stored = new StoredEnvironment
        {
            Name = spec.Name,
            Kind = spec.Kind.ToString().ToLowerInvariant(),
            FileName = Path.GetFileName(request.FileName ?? "environment.yaml"),
            Content = request.Content!,
            CreatedAt = time.GetUtcNow(),
            UpdatedAt = time.GetUtcNow(),
            UpdatedBy = principal.UserName,
        };
        await using (var db = store.CreateContext())
        {
            if (await db.Environments.AnyAsync(e => e.Name == spec.Name, context.RequestAborted))
            {
                return Problems.Conflict(ProblemCodes.EnvironmentExists, $"an environment named {spec.Name} exists; change it with PUT /api/v1/environments/{spec.Name}");
            }

            db.Environments.Add(stored);
            await db.SaveChangesAsync(context.RequestAborted);
        }

        await audit.RecordAsync(context, principal, "environment-registered", $"environment {spec.Name}", after: Describe(stored));
        return Results.Created($"/api/v1/environments/{spec.Name}", Describe(stored));
    }

    private static async Task<IResult> ShowAsync(string name, HttpContext context, StoreOptions store)
    {
        await using var db = store.CreateContext();
        var stored = await db.Environments.AsNoTracking().FirstOrDefaultAsync(e => e.Name == name, context.RequestAborted);
        return stored is null ? NotFound(name) : Results.Ok(new
        {
            name = stored.Name,
            kind = stored.Kind,
            fileName = stored.FileName,
            content = stored.Content,
            version = stored.Version,
            createdAt = stored.CreatedAt,
            updatedAt = stored.UpdatedAt,
            updatedBy = stored.UpdatedBy,
        });
    }

    private static async Task<IResult> UpdateAsync(string name, UpdateRequest request, HttpContext context, EnvironmentService environments, StoreOptions store, AuditLog audit, TimeProvider time)
    {
        await using var db = store.CreateContext();
        var stored = await db.Environments.FirstOrDefaultAsync(e => e.Name == name, context.RequestAborted);
        if (stored is null)
        {
            return NotFound(name);
        }

        var read = environments.Read(stored.FileName, request.Content ?? "");
        if (read.Spec is not { } spec)
        {
            return InvalidFile(read);
        }

        if (spec.Name != name)
        {
            return Problems.BadRequest(ProblemCodes.NameChanged, $"the file names the environment {spec.Name}, not {name}; register it as a new environment instead");
        }

        var before = Describe(stored);
        db.Entry(stored).Property(e => e.Version).OriginalValue = request.Version;
        stored.Content = request.Content!;
        stored.Kind = spec.Kind.ToString().ToLowerInvariant();
        stored.UpdatedAt = time.GetUtcNow();
        stored.UpdatedBy = (await Access.PrincipalAsync(context))!.UserName;
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Stale($"environment {name}");
        }

        await audit.RecordAsync(context, (await Access.PrincipalAsync(context))!, "environment-updated", $"environment {name}", before, Describe(stored));
        return Results.Ok(Describe(stored));
    }

    private static async Task<IResult> RemoveAsync(string name, long? version, HttpContext context, StoreOptions store, StatusCache status, AuditLog audit)
    {
        await using var db = store.CreateContext();
        var stored = await db.Environments.FirstOrDefaultAsync(e => e.Name == name, context.RequestAborted);
        if (stored is null)
        {
            return NotFound(name);
        }

        if (version is { } read)
        {
            db.Entry(stored).Property(e => e.Version).OriginalValue = read;
        }

        db.Environments.Remove(stored);
        db.Secrets.RemoveRange(db.Secrets.Where(s => s.Environment == name));
        db.DomainObservations.RemoveRange(db.DomainObservations.Where(o => o.Environment == name));
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Stale($"environment {name}");
        }

        status.Forget(name);
        await audit.RecordAsync(context, (await Access.PrincipalAsync(context))!, "environment-removed", $"environment {name}", before: Describe(stored));
        return Results.NoContent();
    }

    private static async Task<IResult> FindingsAsync(string name, HttpContext context, EnvironmentService environments, string? profile, bool? noWaivers)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return NotFound(name);
        }

        if (profile is not (null or "" or "production" or "staging"))
        {
            return Problems.BadRequest(ProblemCodes.InvalidProfile, $"profile '{profile}' is not production or staging");
        }

        var kind = profile switch
        {
            "production" => EnvironmentKind.Production,
            "staging" => EnvironmentKind.Staging,
            _ => environment.Spec.Kind,
        };
        var result = (await environments.WithLiveFactsAsync(environment, context.RequestAborted)).CheckAs(kind, useWaivers: noWaivers != true);
        using var buffer = new MemoryStream();
        JsonReport.Write(buffer, new ReportInput(environment.Source.FileName, name, result));
        return Results.Bytes(buffer.ToArray(), "application/json");
    }

    private static async Task<IResult> PlanAsync(string name, PlanRequest? request, HttpContext context, EnvironmentService environments)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return NotFound(name);
        }

        var deployment = await environments.Deployer().PlanAsync(environment, new DeployRequest
        {
            Prune = request?.Prune ?? false,
            Restart = request?.Restart ?? [],
            ResolveImages = request?.ResolveImages ?? true,
        }, context.RequestAborted);
        return Results.Ok(PlanDocument.Of(deployment));
    }

    private static async Task<IResult> ApplyAsync(string name, ApplyRequest? request, HttpContext context, EnvironmentService environments, OperationRunner runner, AuditLog audit)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return NotFound(name);
        }

        var principal = (await Access.PrincipalAsync(context))!;
        var deploy = new DeployRequest
        {
            Prune = request?.Prune ?? false,
            Force = request?.Force ?? false,
            Restart = request?.Restart ?? [],
            ResolveImages = request?.ResolveImages ?? true,
            LockWait = LockWait,
            Apply = new ApplyOptions { Timeout = TimeSpan.FromSeconds(Math.Clamp(request?.TimeoutSeconds ?? 300, 10, 3600)) },
        };
        var gate = Deployer.Admit(environment, deploy);
        if (!gate.Passes)
        {
            var errors = gate.Blocking.Select(f => new { rule = f.Rule, path = f.Path, message = f.Message }).ToList();
            return gate.Forceable
                ? Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.ReadinessGate, $"{name} is a production environment with {errors.Count} error-level finding(s); fix them, waive them with a reason, or apply with force", new Dictionary<string, object?> { ["findings"] = errors, ["forceable"] = true })
                : Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.ReadinessGate, $"{name} has {errors.Count} finding(s) that Docker would refuse part-way through the deploy; fix them (force cannot help)", new Dictionary<string, object?> { ["findings"] = errors, ["forceable"] = false });
        }

        var (actor, source) = (AuditLog.ActorOf(principal), AuditLog.SourceOf(context));
        var operation = await runner.StartApplyAsync(environment, principal.UserName, deploy,
            finished => audit.RecordAsync(actor, source, "apply-finished", $"environment {name}", after: new { operation = finished.Id, state = finished.State, summary = finished.Summary }),
            context.RequestAborted);
        await audit.RecordAsync(context, principal, "apply-started", $"environment {name}", after: new { operation = operation.Id, prune = deploy.Prune, force = deploy.Force, restart = deploy.Restart });
        return Results.Accepted($"/api/v1/operations/{operation.Id}", new { id = operation.Id, environment = name, state = operation.State, events = $"/api/v1/operations/{operation.Id}/events" });
    }

    private static async Task<IResult> OperationsAsync(string name, HttpContext context, StoreOptions store)
    {
        await using var db = store.CreateContext();
        var operations = await db.Operations.AsNoTracking().Where(o => o.Environment == name).OrderByDescending(o => o.StartedAt).Take(20)
            .Select(o => new { id = o.Id, kind = o.Kind, state = o.State, startedBy = o.StartedBy, startedAt = o.StartedAt, finishedAt = o.FinishedAt, summary = o.Summary })
            .ToListAsync(context.RequestAborted);
        return Results.Ok(operations);
    }

    private static async Task<IResult> StatusAsync(string name, HttpContext context, StatusCache status, StoreOptions store)
    {
        if (status.Get(name) is { } cached)
        {
            return Results.Bytes(cached.Json, "application/json");
        }

        await using var db = store.CreateContext();
        if (!await db.Environments.AnyAsync(e => e.Name == name, context.RequestAborted))
        {
            return NotFound(name);
        }

        return Results.Bytes((await status.RefreshAsync(name, context.RequestAborted)).Json, "application/json");
    }

    private static IResult NotFound(string name) => Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");

    private static IResult InvalidFile(Model.Reading.ReadResult read) => Problems.BadRequest(
        ProblemCodes.InvalidEnvironmentFile,
        "the environment file cannot be read; every problem is listed",
        new Dictionary<string, object?>
        {
            ["diagnostics"] = read.Diagnostics.Where(d => d.BlocksReading).Select(d => new
            {
                code = d.Code,
                path = d.Path,
                message = d.Message,
                line = d.Location?.Line,
                column = d.Location?.Column,
            }).ToList(),
        });

    private static object Describe(StoredEnvironment e) => new { name = e.Name, kind = e.Kind, fileName = e.FileName, version = e.Version, lines = e.Content.Count(c => c == '\n') + 1 };

    /// <summary>Serialises one server-sent event.</summary>
    public static string SseFrame(OperationEvent item) =>
        $"id: {item.Sequence}\nevent: {item.Type}\ndata: {JsonSerializer.Serialize(item, JsonSerializerOptions.Web)}\n\n";
}
