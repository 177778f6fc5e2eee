using System.Globalization;
using System.Text.Json.Nodes;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>
/// A database declared in x-ward.databases, on the real swarm with Ward's image (PostgreSQL 15 and pgBackRest): its
/// tier measured in the running database, a backup taken and checked by restore, and a point-in-time restore that
/// finds exactly the rows written before the chosen time.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DatabaseTests(TestCluster cluster)
{
    /// <summary>basic-1: 1 vCore and 2 GB; the database on worker-1, its backup repository on worker-2.</summary>
    internal static string Yaml(string name) => $$"""
        version: "3.9"
        x-ward:
          environment: { name: {{name}}, kind: staging }
          databases:
            - name: records
              engine: postgres
              version: "15"
              tier: basic-1
              placement: [ "node.labels.ward.node == worker-1" ]
              backups:
                repository: { placement: [ "node.labels.ward.node == worker-2" ] }
        services:
          app:
            image: ward/busybox:1.0
            command: ["sleep", "86400"]
            stop_grace_period: 1s
        """;

    [Fact]
    public async Task A_database_applied_from_the_file_runs_with_its_tiers_settings_and_resources()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        await DatabaseImage.EnsureAsync();
        var environment = EnvironmentFile.Write("dbtier", Yaml("dbtier"));
        try
        {
            var apply = await WardCli.RunAsync(["apply", environment.Path, "--yes", "--host", TestCluster.ManagerHost], null, TimeSpan.FromMinutes(8));
            Assert.True(apply.ExitCode == 0, apply.ToString());
            var service = (await cluster.Manager.ListStackAsync("services", "dbtier", token)).Single(s => s["Spec"]!["Labels"]?["ward.database.role"]?.GetValue<string>() == "database");
            var resources = service["Spec"]!["TaskTemplate"]!["Resources"]!;
            Assert.Equal(1_000_000_000, resources["Limits"]!["NanoCPUs"]!.GetValue<long>());
            Assert.Equal(2L * 1024 * 1024 * 1024, resources["Limits"]!["MemoryBytes"]!.GetValue<long>());
            Assert.Equal(500_000_000, resources["Reservations"]!["NanoCPUs"]!.GetValue<long>());
            Assert.Equal(2L * 1024 * 1024 * 1024, resources["Reservations"]!["MemoryBytes"]!.GetValue<long>());

            var (host, container) = await RunningAsync(service["Spec"]!["Name"]!.GetValue<string>(), token);
            Assert.Equal(TestCluster.SocketOf("worker-1"), host[7..]);
            var status = await WaitForStatusAsync("dbtier", token);
            var settings = status["settings"]!.AsArray().ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!);
            Figures.Write($"database tier basic-1 measured: {string.Join(", ", settings.Values.Select(s => $"{s!["name"]}={s["measured"]}"))}");
            foreach (var setting in settings.Values.Where(s => s!["expected"] is not null))
            {
                Assert.True(setting!["matches"]!.GetValue<bool>(), $"{setting["name"]}: the tier asks for {setting["expected"]}, the database runs {setting["measured"]}");
            }

            // The same, asked of PostgreSQL directly (the reference): the tier's arithmetic for 1 vCore and 2 GB.
            var shown = await PsqlAsync(host, container, "postgres", "SHOW shared_buffers", "SHOW effective_cache_size", "SHOW work_mem", "SHOW maintenance_work_mem", "SHOW max_connections");
            Assert.Equal(["512MB", "1536MB", "10MB", "128MB", "50"], shown.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("basic-1", status["tier"]!.GetValue<string>());
            Assert.Equal("worker-1", status["node"]!.GetValue<string>());

            var text = await WardCli.RunAsync("db", "status", "dbtier", "records", "--host", TestCluster.ManagerHost);
            Assert.True(text.ExitCode == 0, text.ToString());
            Assert.Contains("shared_buffers", text.Stdout);
            Assert.DoesNotContain("DIFFERS", text.Stdout);
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "dbtier", token);
        }
    }

    [Fact]
    public async Task A_backup_is_checked_by_restore_listed_and_a_point_in_time_restore_finds_exactly_the_rows_written_before_the_time()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        await DatabaseImage.EnsureAsync();
        var environment = EnvironmentFile.Write("dbpit", Yaml("dbpit"));
        try
        {
            var apply = await WardCli.RunAsync(["apply", environment.Path, "--yes", "--host", TestCluster.ManagerHost], null, TimeSpan.FromMinutes(8));
            Assert.True(apply.ExitCode == 0, apply.ToString());
            await WaitForStatusAsync("dbpit", token);
            var (host, container) = await RunningAsync("dbpit_records", token);
            await PsqlAsync(host, container, "records", "CREATE TABLE t (id int PRIMARY KEY, at timestamptz DEFAULT now()); INSERT INTO t (id) SELECT generate_series(1, 100)");

            // The repository takes its first full backup on its own, and checks it.
            JsonNode? first = null;
            var scheduled = await Poll.UntilAsync(async () =>
            {
                var listed = await Db("backups", "dbpit", "records", "--format", "json");
                first = listed.ExitCode == 0 ? JsonNode.Parse(listed.Stdout)!["backups"]!.AsArray().FirstOrDefault(b => b!["trigger"]!.GetValue<string>() == "schedule") : null;
                return first?["check"]?["status"]?.GetValue<string>() is "passed" or "failed" or "empty";
            }, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5));
            Assert.True(scheduled is not null, $"the repository's first scheduled backup was not taken and checked within 5 minutes: {first}");
            Assert.Equal("passed", first!["check"]!["status"]!.GetValue<string>());
            Figures.Write($"database first scheduled backup: {first["kind"]} {first["sizeBytes"]} bytes in {first["durationSeconds"]} s, checked in {first["check"]!["durationSeconds"]} s, {scheduled.Value.TotalSeconds:0} s after the database answered");

            // A time before the first backup, and one in the future: bad input, exit 2, nothing run.
            var early = await Db("restore", "dbpit", "records", "--to", DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "--into", "early");
            Assert.True(early.ExitCode == 2, early.ToString());
            Assert.Contains("before the first backup of records", early.Stderr);
            var future = await Db("restore", "dbpit", "records", "--to", "2099-01-01T00:00:00Z", "--into", "future");
            Assert.True(future.ExitCode == 2, future.ToString());
            Assert.Contains("--to 2099-01-01T00:00:00Z is in the future", future.Stderr);

            var backup = await Db("backup", "dbpit", "records", "--kind", "full");
            Assert.True(backup.ExitCode == 0, backup.ToString());
            var listing = await Db("backups", "dbpit", "records", "--format", "json");
            Assert.True(listing.ExitCode == 0, listing.ToString());
            var backups = JsonNode.Parse(listing.Stdout)!["backups"]!.AsArray();
            var taken = Assert.Single(backups, b => b!["trigger"]!.GetValue<string>() == "manual")!;
            Figures.Write($"database backup: {taken["kind"]} {taken["sizeBytes"]} bytes ({taken["repositoryBytes"]} stored) in {taken["durationSeconds"]} s, checked {taken["check"]!["status"]} ({taken["check"]!["tables"]} tables, {taken["check"]!["rows"]} rows in {taken["check"]!["durationSeconds"]} s)");
            Assert.Equal("ok", taken["status"]!.GetValue<string>());
            Assert.Equal("full", taken["kind"]!.GetValue<string>());
            Assert.Equal("passed", taken["check"]!["status"]!.GetValue<string>());
            Assert.True(taken["sizeBytes"]!.GetValue<long>() > 1_000_000, $"a full backup of a PostgreSQL cluster is megabytes, not {taken["sizeBytes"]} bytes");
            Assert.True(taken["check"]!["rows"]!.GetValue<long>() >= 100, $"the check read {taken["check"]!["rows"]} rows; the table alone has 100");
            var text = await Db("backups", "dbpit", "records");
            Assert.Contains("full", text.Stdout);
            Assert.Contains("good", text.Stdout);

            await PsqlAsync(host, container, "records", "INSERT INTO t (id) SELECT generate_series(101, 200)");
            await Task.Delay(TimeSpan.FromSeconds(2), token);
            var noted = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(2), token);
            await PsqlAsync(host, container, "records", "INSERT INTO t (id) SELECT generate_series(201, 300)");
            var archived = (await StatusAsync("dbpit")).ArchivedWal;
            await PsqlAsync(host, container, "records", "SELECT pg_switch_wal()");
            await Poll.RequireAsync("the WAL with the rows written after the noted time archived", async () => (await StatusAsync("dbpit")).ArchivedWal > archived, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(2));

            var restore = await Db("restore", "dbpit", "records", "--to", noted.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), "--into", "records-pit");
            Assert.True(restore.ExitCode == 0, restore.ToString());
            Figures.Write($"database point-in-time restore into a new database: {restore.Stdout.Trim()}");
            var (copyHost, copy) = await RunningAsync("dbpit_records-pit", token);
            Assert.Equal("200|1|200", await PsqlAsync(copyHost, copy, "records", "SELECT count(*), min(id), max(id) FROM t"));
            Assert.Equal("300", await PsqlAsync(host, container, "records", "SELECT count(*) FROM t"));

            var taken2 = await Db("restore", "dbpit", "records", "--to", "latest", "--into", "records-pit");
            Assert.True(taken2.ExitCode == 2, taken2.ToString());
            Assert.Contains("records-pit", taken2.Stderr);

            // The migration rehearsal from a real PostgreSQL over the network (here the environment's database itself,
            // as its application role), verified table by table, timed and recorded; wrong credentials fail and are recorded.
            await PsqlAsync(host, container, "records", "ALTER TABLE t OWNER TO records");
            var password = (await DockerCli.RunOnAsync(host, "exec", container, "cat", "/run/secrets/ward-db-password")).Stdout.Trim();
            Assert.NotEmpty(password);
            var invalid = await Db("rehearse", "dbpit", "records", "--from", "mysql://legacy/records");
            Assert.True(invalid.ExitCode == 2, invalid.ToString());
            Assert.Contains("is not a PostgreSQL connection string", invalid.Stderr);
            var refused = await Db("rehearse", "dbpit", "records", "--from", "postgresql://records:wrong-password@ward-db-records:5432/records");
            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.Contains("refused the credentials", refused.Stdout);
            Assert.DoesNotContain("wrong-password", refused.Output);
            var rehearsal = await Db("rehearse", "dbpit", "records", "--from", $"postgresql://records:{password}@ward-db-records:5432/records", "--format", "json");
            Assert.True(rehearsal.ExitCode == 0, rehearsal.ToString());
            Assert.DoesNotContain(password, rehearsal.Output);
            var record = JsonNode.Parse(rehearsal.Stdout)!;
            Figures.Write($"database rehearsal: {record["sourceBytes"]} bytes, {record["tables"]} table(s), {record["rows"]} rows, {record["totalSeconds"]} s ({record["phases"]!.ToJsonString()}), {record["throughputMBps"]} MB/s");
            Assert.True(record["verified"]!.GetValue<bool>(), rehearsal.Stdout);
            Assert.Equal("records@ward-db-records:5432/records", record["source"]!.GetValue<string>());
            Assert.Equal(300, record["rows"]!.GetValue<long>());
            Assert.True(record["phases"]!["dump"]!.GetValue<double>() > 0 && record["phases"]!["restore"]!.GetValue<double>() > 0, rehearsal.Stdout);
            var recorded = await Db("rehearsals", "dbpit", "records", "--format", "json");
            Assert.True(recorded.ExitCode == 0, recorded.ToString());
            var records = JsonNode.Parse(recorded.Stdout)!.AsArray();
            Assert.Equal([true, false], records.Select(r => r!["verified"]!.GetValue<bool>()));
            Assert.Contains("refused the credentials", records[1]!["failure"]!.GetValue<string>());
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "dbpit", token);
        }
    }

    private static Task<ProcessResult> Db(params string[] arguments) =>
        WardCli.RunAsync(["db", .. arguments, "--host", TestCluster.ManagerHost], null, TimeSpan.FromMinutes(10));

    private static async Task<(long ArchivedWal, JsonNode Document)> StatusAsync(string environment)
    {
        var status = await Db("status", environment, "records", "--format", "json");
        Assert.True(status.ExitCode == 0, status.ToString());
        var document = JsonNode.Parse(status.Stdout)!;
        return (document["archivedWal"]!.GetValue<long>(), document);
    }

    /// <summary>The database's status once it answers (its first start initialises the cluster).</summary>
    private static async Task<JsonNode> WaitForStatusAsync(string environment, CancellationToken cancellationToken)
    {
        ProcessResult? last = null;
        var answered = await Poll.UntilAsync(async () =>
        {
            last = await Db("status", environment, "records", "--format", "json");
            return last.ExitCode == 0;
        }, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(3));
        cancellationToken.ThrowIfCancellationRequested();
        Assert.True(answered is not null, $"ward db status never answered: {last}");
        return JsonNode.Parse(last!.Stdout)!;
    }

    /// <summary>The engine (unix://...) and container of the service's running task.</summary>
    private Task<(string Host, string Container)> RunningAsync(string service, CancellationToken cancellationToken) => RunningAsync(cluster, service, cancellationToken);

    internal static async Task<(string Host, string Container)> RunningAsync(TestCluster cluster, string service, CancellationToken cancellationToken)
    {
        JsonObject? task = null;
        await Poll.RequireAsync($"a running task of {service}", async () =>
        {
            task = (await cluster.Manager.RunningTasksAsync(service, cancellationToken)).FirstOrDefault();
            return task?["Status"]?["ContainerStatus"]?["ContainerID"] is not null;
        }, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(1));
        var node = (await cluster.Manager.NodesAsync(cancellationToken)).Single(n => n["ID"]!.GetValue<string>() == task!["NodeID"]!.GetValue<string>());
        var name = node["Spec"]!["Labels"]!["ward.node"]!.GetValue<string>();
        return ("unix://" + TestCluster.SocketOf(name), task!["Status"]!["ContainerStatus"]!["ContainerID"]!.GetValue<string>());
    }

    /// <summary>psql as the superuser on the container's socket (the Docker CLI is the reference); the rows, unaligned.</summary>
    internal static async Task<string> PsqlAsync(string host, string container, string database, params string[] statements)
    {
        var result = await DockerCli.RunOnAsync(host, ["exec", container, "psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "/run/postgresql", "-d", database, .. statements.SelectMany(s => new[] { "-c", s })]);
        Assert.True(result.ExitCode == 0, $"psql {string.Join("; ", statements)}: {result}");
        return result.Stdout.Trim();
    }
}
