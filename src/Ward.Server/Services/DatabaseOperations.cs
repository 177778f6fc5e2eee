using System.Globalization;
using Ward.Deploying.Databases;
using Ward.Server.Auth;
using Ward.Store.Entities;

namespace Ward.Server.Services;

/// <summary>
/// The databases' long use cases as operations: a backup, a restore and a rehearsal, each the core's own (the same
/// classes <c>ward db</c> runs), its progress as <c>phase</c> events and its result as an event of its kind, then the
/// operation's result. Each is admitted by the core before it starts (bad input is answered at once, nothing run),
/// and audited when it starts and when it ends, naming the user.
/// </summary>
public sealed class DatabaseOperations(EngineAccess engine, OperationRunner runner, AuditLog audit, TimeProvider time)
{
    /// <exception cref="DatabaseRequestException">Bad input: nothing was started.</exception>
    public async Task<Operation> BackupAsync(HttpContext context, WardPrincipal principal, string environment, string database, string kind)
    {
        var backups = new Backups(engine.Engine, engine.Nodes, time);
        await backups.AdmitAsync(environment, database, kind, context.RequestAborted);
        return await StartAsync(context, principal, environment, database, "backup", new { kind }, async progress =>
        {
            var entry = await backups.TakeAsync(environment, database, kind, "manual", new PhaseEvents(progress), CancellationToken.None);
            progress.Add("backup", entry);
            var what = string.Create(CultureInfo.InvariantCulture, $"{entry.KindName} backup {entry.Id} of {database}");
            if (!entry.IsGood)
            {
                var why = entry.Check.Error ?? entry.Error;
                return new OperationOutcome("failed", $"the {what} is {entry.Verdict}{(why is null ? "" : $": {why}")}");
            }

            return new OperationOutcome("succeeded", string.Create(CultureInfo.InvariantCulture,
                $"{what}: {Megabytes(entry.SizeBytes)} in {entry.DurationSeconds ?? 0:0.0} s, checked by restore ({entry.Check.Tables} tables, {entry.Check.Rows} rows)"));
        });
    }

    /// <summary>A restore into a new database, or in place (the caller has the user's confirmation for that).</summary>
    /// <exception cref="DatabaseRequestException">Bad input: nothing was started.</exception>
    public async Task<Operation> RestoreAsync(HttpContext context, WardPrincipal principal, RestoreRequest request)
    {
        var restorer = new Restorer(engine.Engine, engine.Nodes, time);
        await restorer.AdmitAsync(request, context.RequestAborted);
        return await StartAsync(context, principal, request.Environment, request.Database, "restore", new { to = request.Target, into = request.Into }, async progress =>
        {
            var result = await restorer.RestoreAsync(request, new PhaseEvents(progress), CancellationToken.None);
            if (result is null)
            {
                return new OperationOutcome("failed", "not confirmed; nothing was restored");
            }

            progress.Add("restore", result);
            return new OperationOutcome("succeeded", string.Create(CultureInfo.InvariantCulture,
                $"restored {result.Database} to {result.RestoredTo ?? result.Target}{(result.Into is { } copy ? $" into {copy}" : " in place")} in {result.Seconds:0.0} s ({result.Tables} tables, {result.Rows.Values.Sum()} rows)"));
        });
    }

    /// <summary>A migration rehearsal from the given source; its connection string goes to the core only (never an event, the log or the audit).</summary>
    /// <exception cref="DatabaseRequestException">Bad input: nothing was started.</exception>
    public async Task<Operation> RehearseAsync(HttpContext context, WardPrincipal principal, string environment, string database, string source)
    {
        var rehearsals = new Rehearsals(engine.Engine, time);
        await rehearsals.AdmitAsync(environment, database, source, context.RequestAborted);
        return await StartAsync(context, principal, environment, database, "rehearsal", null, async progress =>
        {
            var record = await rehearsals.RunAsync(environment, database, source, principal.UserName, new PhaseEvents(progress), CancellationToken.None);
            progress.Add("rehearsal", record);
            return record.Verified
                ? new OperationOutcome("succeeded", string.Create(CultureInfo.InvariantCulture,
                    $"verified {record.Source} into {database}: {record.Tables} tables, {record.Rows} rows, {Megabytes(record.SourceBytes)} in {record.TotalSeconds:0.0} s ({record.ThroughputMBps:0.0} MB/s)"))
                : new OperationOutcome("failed", record.Failure is { } failure ? $"the rehearsal from {record.Source} failed: {failure}" : $"the copy of {record.Source} differs: {record.Difference}");
        });
    }

    private async Task<Operation> StartAsync(HttpContext context, WardPrincipal principal, string environment, string database, string kind, object? details, Func<OperationProgress, Task<OperationOutcome>> work)
    {
        var (actor, source, target) = (AuditLog.ActorOf(principal), AuditLog.SourceOf(context), $"database {database} of environment {environment}");
        var operation = await runner.StartAsync(environment, kind, principal.UserName, work,
            finished => audit.RecordAsync(actor, source, $"database-{kind}-finished", target, after: new { operation = finished.Id, state = finished.State, summary = finished.Summary }),
            context.RequestAborted);
        await audit.RecordAsync(context, principal, $"database-{kind}-started", target, after: new { operation = operation.Id, details });
        return operation;
    }

    private static string Megabytes(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1_000_000.0:0.0} MB") : "? MB";

    /// <summary>The core's progress as events; an in-place restore was confirmed when it was requested.</summary>
    private sealed class PhaseEvents(OperationProgress progress) : IRestoreObserver
    {
        public void Report(string phase, string message) => progress.Add("phase", new { phase, message });

        public Task<bool> ConfirmAsync(string question, CancellationToken cancellationToken) => Task.FromResult(true);
    }
}
