using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Ward.Server.Api.Models;
using Ward.Server.Auth;
using Ward.Store;
using Ward.Store.Audit;
using Ward.Store.Entities;

namespace Ward.Server.Api;

/// <summary>The audit log: read and filter, export as CSV or JSON, verify the hash chain.</summary>
public static class AuditEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit");
        audit.MapGet("/", ListAsync).WithName("listAudit").WithSummary("Audit entries, newest first, filtered by actor, action, target and time")
            .Produces<IReadOnlyList<AuditEntryDocument>>().Requires(Roles.Admin);
        audit.MapGet("/export", ExportAsync).WithName("exportAudit").WithSummary("The whole audit log (or a filtered part) as JSON (format=json, the default) or CSV (format=csv), oldest first")
            .Produces<IReadOnlyList<AuditEntryDocument>>(StatusCodes.Status200OK, "application/json", "text/csv").Requires(Roles.Admin);
        audit.MapGet("/verify", VerifyAsync).WithName("verifyAudit").WithSummary("Recompute the hash chain and report any edited, removed or reordered entry")
            .Produces<AuditVerificationDocument>().Requires(Roles.Admin);
    }

    private static IQueryable<AuditEntry> Filter(IQueryable<AuditEntry> entries, string? actor, string? action, string? target, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (!string.IsNullOrEmpty(actor))
        {
            entries = entries.Where(e => e.Actor.Contains(actor));
        }

        if (!string.IsNullOrEmpty(action))
        {
            entries = entries.Where(e => e.Action.Contains(action));
        }

        if (!string.IsNullOrEmpty(target))
        {
            entries = entries.Where(e => e.Target.Contains(target));
        }

        if (from is { } start)
        {
            entries = entries.Where(e => e.At >= start);
        }

        if (to is { } end)
        {
            entries = entries.Where(e => e.At <= end);
        }

        return entries;
    }

    /// <summary>The most entries one page may hold.</summary>
    public const int MaxLimit = 5000;

    private static async Task<IResult> ListAsync(HttpContext context, StoreOptions store, string? actor, string? action, string? target, DateTimeOffset? from, DateTimeOffset? to, int? limit)
    {
        // Out of range is refused, never clamped, so a client learns its mistake instead of getting another page size.
        if (limit is < 1 or > MaxLimit)
        {
            return Problems.BadRequest(ProblemCodes.InvalidLimit, $"limit is 1 to {MaxLimit}");
        }

        await using var db = store.CreateContext();
        var entries = await Filter(db.Audit.AsNoTracking(), actor, action, target, from, to)
            .OrderByDescending(e => e.Sequence).Take(limit ?? 200).ToListAsync(context.RequestAborted);
        return Results.Ok(entries.Select(Document));
    }

    private static async Task<IResult> ExportAsync(HttpContext context, StoreOptions store, string? format, string? actor, string? action, string? target, DateTimeOffset? from, DateTimeOffset? to)
    {
        await using var db = store.CreateContext();
        var entries = await Filter(db.Audit.AsNoTracking(), actor, action, target, from, to).OrderBy(e => e.Sequence).ToListAsync(context.RequestAborted);
        if (format is null or "json")
        {
            return Results.Json(entries.Select(Document), contentType: "application/json");
        }

        if (format != "csv")
        {
            return Problems.BadRequest(ProblemCodes.InvalidFormat, $"format '{format}' is not csv or json");
        }

        var csv = new StringBuilder("sequence,at,actor,source,action,target,before,after,previous_hash,hash\n");
        foreach (var e in entries)
        {
            csv.AppendJoin(',', [e.Sequence.ToString(CultureInfo.InvariantCulture), e.At.ToString("O", CultureInfo.InvariantCulture), Csv(e.Actor), Csv(e.Source), Csv(e.Action), Csv(e.Target), Csv(e.Before), Csv(e.After), e.PreviousHash, e.Hash]).Append('\n');
        }

        return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", "ward-audit.csv");
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, StoreOptions store)
    {
        var result = await AuditChain.VerifyAsync(store, context.RequestAborted);
        return Results.Ok(new AuditVerificationDocument(result.Intact, result.Entries, result.HeadHash, result.Problems));
    }

    private static AuditEntryDocument Document(AuditEntry e) => new(e.Sequence, e.At, e.Actor, e.Source, e.Action, e.Target, e.Before, e.After, e.PreviousHash, e.Hash);

    /// <summary>RFC 4180 quoting; a leading = + - @ is escaped so a spreadsheet does not run it as a formula.</summary>
    private static string Csv(string? value)
    {
        value ??= "";
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
