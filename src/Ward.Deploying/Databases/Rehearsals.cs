using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ward.Engine.Balancing;
using Ward.Engine.Databases;
using Ward.Engine.Ports;

namespace Ward.Deploying.Databases;

/// <summary>A migration rehearsal as Ward ran and recorded it: observed, unlike the file's <c>restore_rehearsal</c>.</summary>
/// <param name="Environment">The environment it rehearsed for.</param>
/// <param name="Database">The database of the environment it rehearsed.</param>
/// <param name="At">When it ended.</param>
/// <param name="By">Who ran it (the user, or the operating system's user for the CLI).</param>
/// <param name="Source">The database it dumped, as user@host:port/database (never its password).</param>
/// <param name="Verified">Whether the restored copy matched the source in every table, sequence, extension and owner.</param>
/// <param name="Difference">The first difference found, when it did not verify.</param>
/// <param name="Failure">Why it could not run to its verification (the source refused or could not be reached, ...).</param>
/// <param name="SourceBytes">The source's size.</param>
/// <param name="DumpBytes">The dump's size.</param>
/// <param name="Tables">Tables compared.</param>
/// <param name="Rows">Rows compared.</param>
/// <param name="Phases">Seconds per phase (dump, restore, verify, ...), as the job measured them.</param>
/// <param name="TotalSeconds">Dump, restore and verification, end to end.</param>
/// <param name="ThroughputMBps">The source's megabytes over the dump's and the restore's seconds.</param>
public sealed record RehearsalRecord(
    string Environment,
    string Database,
    DateTimeOffset At,
    string? By,
    string Source,
    bool Verified,
    string? Difference,
    string? Failure,
    long SourceBytes,
    long DumpBytes,
    int Tables,
    long Rows,
    IReadOnlyDictionary<string, double> Phases,
    double TotalSeconds,
    double ThroughputMBps);

/// <summary>
/// The migration rehearsal (<c>ward db rehearse</c>): a job beside the database dumps the current (legacy) database,
/// restores it into a throwaway PostgreSQL with the tier's settings on the scratch volume and compares them table by
/// table; the live database is never touched. The source's connection string reaches the job as a Docker secret made
/// for it and removed after, never as an argument or a variable. Every rehearsal that ran, passed or not, is recorded
/// on the swarm (a config per rehearsal, labelled with its environment and database), where the server, the console
/// and the switchover's gate read it.
/// </summary>
public sealed class Rehearsals(IEngine engine, TimeProvider time)
{
    /// <summary>On a rehearsal's record: the environment it belongs to.</summary>
    public const string RecordLabel = "ward.rehearsal.environment";

    /// <summary>On a rehearsal's record: the record itself, as JSON.</summary>
    public const string DocumentLabel = "ward.rehearsal.record";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web);

    /// <exception cref="DatabaseRequestException">No such database, or a source that is not a PostgreSQL connection string.</exception>
    /// <exception cref="DatabaseOperationException">The job could not run (no node, a lost node).</exception>
    public async Task<RehearsalRecord> RunAsync(string environment, string database, string source, string? by, IDatabaseProgress progress, CancellationToken cancellationToken)
    {
        var result = await RunJobAsync(environment, database, source, ["rehearse"], progress, cancellationToken);
        var record = RecordOf(environment, database, by, result.Document);
        await StoreAsync(record, result.Id, cancellationToken);
        return record;
    }

    /// <summary>
    /// The plain copy a person would make, as the benchmark's reference: the same job on the same node, network and
    /// scratch volume, into the same throwaway PostgreSQL, but <c>pg_dump -Fc</c> to a file then <c>pg_restore -j 2</c>,
    /// with no verification. Not recorded: it is not a rehearsal.
    /// </summary>
    /// <returns>ward-db's result: <c>ok</c>, <c>phases</c> and <c>totalSeconds</c>, <c>sourceBytes</c>, <c>dumpBytes</c>, or <c>error</c>.</returns>
    public async Task<JsonObject> PlainCopyAsync(string environment, string database, string source, IDatabaseProgress progress, CancellationToken cancellationToken) =>
        (await RunJobAsync(environment, database, source, ["rehearse", "plain"], progress, cancellationToken)).Document;

    private async Task<(string Id, JsonObject Document)> RunJobAsync(string environment, string database, string source, IReadOnlyList<string> args, IDatabaseProgress progress, CancellationToken cancellationToken)
    {
        var deployed = await AdmitAsync(environment, database, source, cancellationToken);
        var (_, node) = deployed.Database.Running($"database {database}");
        var id = Backups.JobId();
        var secretName = $"ward-rehearsal-source-{id}";
        var secretId = await engine.CreateAsync(ObjectKind.Secret, new JsonObject
        {
            ["Name"] = secretName,
            ["Labels"] = new JsonObject { [DatabaseNames.JobEnvironmentLabel] = environment, [LoadBalancerService.PlatformLabel] = "database-job" },
            ["Data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(source)),
        }, cancellationToken);
        try
        {
            var spec = DatabaseJob.Spec(deployed.Database.Service.Spec, environment, database, id, node.Id, args, container =>
            {
                DatabaseJob.Mount(container, DatabaseNames.ScratchVolume(environment, database), DatabaseNames.ScratchPath, new JsonObject { [Engine.Desired.StackNames.NamespaceLabel] = environment });
                DatabaseJob.Secret(container, secretId, secretName, "ward-rehearsal-source");
                var variables = container["Env"] as JsonArray ?? [];
                variables.Add("WARD_SOURCE_FILE=/run/secrets/ward-rehearsal-source");
                container["Env"] = variables;
            });
            return (id, await new JobRunner(engine, time).RunAsync(spec, progress, cancellationToken));
        }
        finally
        {
            await RemoveSecretAsync(secretId);
        }
    }

    /// <summary>
    /// Whether a rehearsal may run, answered before anything runs (the server answers a bad request at once, then
    /// rehearses as an operation): a PostgreSQL connection string, and a database the environment runs.
    /// </summary>
    /// <exception cref="DatabaseRequestException">Bad input: nothing was run.</exception>
    public async Task<DeployedDatabase> AdmitAsync(string environment, string database, string source, CancellationToken cancellationToken)
    {
        CheckSource(source);
        return await DatabaseLocator.FindAsync(engine, environment, database, cancellationToken);
    }

    /// <summary>The rehearsals recorded for the environment (one database, or all), newest first.</summary>
    public async Task<IReadOnlyList<RehearsalRecord>> ListAsync(string environment, string? database, CancellationToken cancellationToken) =>
        [.. (await engine.ListAsync(ObjectKind.Config, null, cancellationToken))
            .Where(c => c.Labels.GetValueOrDefault(RecordLabel) == environment && c.Labels.ContainsKey(DocumentLabel))
            .Select(c => JsonSerializer.Deserialize<RehearsalRecord>(c.Labels[DocumentLabel], Json))
            .OfType<RehearsalRecord>()
            .Where(r => database is null || r.Database == database)
            .OrderByDescending(r => r.At)];

    /// <summary>postgresql:// or postgres:// with a host: anything else is refused before anything runs.</summary>
    private static void CheckSource(string source)
    {
        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres") || uri.Host.Length == 0)
        {
            throw new DatabaseRequestException(DatabaseRequestCodes.InvalidSource,
                "--from is not a PostgreSQL connection string with a host: give postgresql://USER:PASSWORD@HOST:PORT/DATABASE (the current database to rehearse from)");
        }
    }

    private RehearsalRecord RecordOf(string environment, string database, string? by, JsonObject result)
    {
        var ok = result["ok"]?.GetValue<bool>() == true;
        var phases = (result["phases"]?.AsObject() ?? []).ToDictionary(p => p.Key, p => p.Value?.GetValue<double>() ?? 0, StringComparer.Ordinal);
        return new RehearsalRecord(
            environment,
            database,
            time.GetUtcNow(),
            by,
            result["source"]?.GetValue<string>() ?? "(not reached)",
            ok && result["verified"]?.GetValue<bool>() == true,
            result["difference"] is { } difference ? Describe(difference) : null,
            ok ? null : result["error"]?.GetValue<string>() ?? "the rehearsal job reported no result",
            result["sourceBytes"]?.GetValue<long>() ?? 0,
            result["dumpBytes"]?.GetValue<long>() ?? 0,
            result["tables"]?.GetValue<int>() ?? 0,
            result["rows"]?.GetValue<long>() ?? 0,
            phases,
            result["totalSeconds"]?.GetValue<double>() ?? 0,
            result["throughputMBps"]?.GetValue<double>() ?? 0);
    }

    private static string Describe(JsonNode difference) =>
        difference is JsonValue value && value.TryGetValue<string>(out var text) ? text : difference.ToJsonString();

    private Task StoreAsync(RehearsalRecord record, string id, CancellationToken cancellationToken) =>
        engine.CreateAsync(ObjectKind.Config, RecordSpec(record, id), cancellationToken);

    /// <summary>The config that keeps a rehearsal's record on the swarm, as <see cref="ListAsync"/> reads it back.</summary>
    /// <param name="record">The record.</param>
    /// <param name="id">Makes the config's name unique (the job's id).</param>
    public static JsonObject RecordSpec(RehearsalRecord record, string id)
    {
        var document = JsonSerializer.Serialize(record, Json);
        return new JsonObject
        {
            ["Name"] = $"ward-rehearsal.{record.Environment}.{record.Database}.{record.At.UtcDateTime.ToString("yyyyMMddTHHmmss", CultureInfo.InvariantCulture)}-{id}",
            ["Labels"] = new JsonObject
            {
                [RecordLabel] = record.Environment,
                [DatabaseNames.DatabaseLabel] = record.Database,
                [DocumentLabel] = document,
            },
            ["Data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(document)),
        };
    }

    private async Task RemoveSecretAsync(string id)
    {
        try
        {
            await engine.RemoveAsync(ObjectKind.Secret, id, CancellationToken.None);
        }
        catch (EngineException)
        {
            // In use by a job still running after its follower stopped: removed with the environment's next job.
        }
    }
}
