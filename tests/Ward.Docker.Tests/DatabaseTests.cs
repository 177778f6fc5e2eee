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
    /// <summary>
    /// basic-1: 1 vCore and 2 GB; the database on worker-1, its backup repository on worker-2 (on Ward's own volume, or
    /// on a volume of the file declared as <paramref name="repositoryVolume"/>).
    /// </summary>
    internal static string Yaml(string name, string? repositoryVolume = null) => $$"""
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
                repository: { placement: [ "node.labels.ward.node == worker-2" ]{{(repositoryVolume is null ? "" : ", volume: backups")}} }
        services:
          app:
            image: ward/busybox:1.0
            command: ["sleep", "86400"]
            stop_grace_period: 1s
        {{(repositoryVolume is null ? "" : "volumes:\n  backups:\n" + repositoryVolume)}}
        """;

    /// <summary>A 160 MB tmpfs for the repository: small enough for a test to fill, large enough for the backups before.</summary>
    private const string SmallVolume = """
            driver: local
            driver_opts: { type: tmpfs, device: tmpfs, o: "size=160m,uid=999,gid=999,mode=0700" }
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
            await ApplyAsync(environment, token);
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
            var refused = await FailedRehearsalAsync("dbpit", "postgresql://records:wrong-password@ward-db-records:5432/records", "refused the credentials");
            Assert.DoesNotContain("wrong-password", refused.Output);
            var gate = await Swo001Async("dbpit");
            Assert.Contains(gate, f => f.Severity == "error" && f.Message.Contains("did not verify", StringComparison.Ordinal) && f.Message.Contains("refused the credentials", StringComparison.Ordinal));
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

            // The production gate reads what Ward recorded: the verified rehearsal, not a claim in the file.
            gate = await Swo001Async("dbpit");
            Assert.DoesNotContain(gate, f => f.Severity is "error" or "warning");
            Assert.Contains(gate, f => f.Severity == "info" && f.Message.Contains("declared in the file, not observed", StringComparison.Ordinal));
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "dbpit", token);
        }
    }

    /// <summary>
    /// SWO-001's findings for the environment checked live as production, with a switchover planned two days ahead and
    /// a claimed rehearsal in the file (which the gate must not take for an observed one).
    /// </summary>
    private static async Task<IReadOnlyList<(string Severity, string Message)>> Swo001Async(string name)
    {
        var start = DateTimeOffset.UtcNow.AddDays(2);
        var planned = Yaml(name).Replace("kind: staging }", $$"""
            kind: production }
              switchover:
                window: { start: {{start:yyyy-MM-ddTHH:mm:ssZ}}, end: {{start.AddHours(3):yyyy-MM-ddTHH:mm:ssZ}} }
                restore_rehearsal: { at: {{start.AddDays(-1):yyyy-MM-ddTHH:mm:ssZ}}, passed: true }
            """, StringComparison.Ordinal);
        var file = EnvironmentFile.Write(name + "-gate", planned);
        var check = await WardCli.RunAsync(["check", file.Path, "--live", "--format", "json", "--host", TestCluster.ManagerHost], null, TimeSpan.FromMinutes(2));
        Assert.True(check.ExitCode is 0 or 1, check.ToString());
        return [.. JsonNode.Parse(check.Stdout)!["findings"]!.AsArray()
            .Where(f => f!["rule"]!.GetValue<string>() == "SWO-001")
            .Select(f => (f!["severity"]!.GetValue<string>(), f["message"]!.GetValue<string>()))];
    }

    /// <summary>
    /// One environment through the shell, the in-place restore and the faults of issue 11 (point 6), in order: psql
    /// through ward db shell (a statement, a script piped in, an error); a manual backup taken while the first scheduled
    /// one runs; a rehearsal from a source that does not resolve, and one whose port is closed (each a clear failure,
    /// recorded); an in-place restore to a noted time (exactly the first rows live, the safety backup listed, the
    /// service serving); a restore to latest after it (the new timeline followed, not the writes it undid); ward killed
    /// during an in-place restore (the database stopped, not half-restored, until --resume finishes it); the
    /// repository's disk full (the backup failed with the reason, never good; the database untouched; backups again
    /// once there is room).
    /// </summary>
    [Fact]
    public async Task The_shell_an_in_place_restore_and_the_faults_leave_the_database_whole_and_say_what_happened()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        await DatabaseImage.EnsureAsync();
        var environment = EnvironmentFile.Write("dbfault", Yaml("dbfault", SmallVolume));
        try
        {
            await ApplyAsync(environment, token);

            // The shell: a statement, a script on standard input, and an error with psql's own words and exit code.
            var answer = await Db("shell", "dbfault", "records", "-c", "SELECT 40 + 2 AS answer");
            Assert.True(answer.ExitCode == 0, answer.ToString());
            Assert.Contains("answer", answer.Stdout);
            Assert.Contains("42", answer.Stdout);
            Assert.Contains("(1 row)", answer.Stdout);
            var script = await PipedAsync("printf 'CREATE TABLE t (id int PRIMARY KEY, at timestamptz DEFAULT now());\\nINSERT INTO t (id) SELECT generate_series(1, 100);\\nSELECT count(*) AS written FROM t;\\n' | dotnet \"$0\" db shell dbfault records --host \"$1\"");
            Assert.Contains("INSERT 0 100", script.Stdout);
            Assert.Matches(@"written\s*\n-+\s*\n\s*100\s*\n", script.Stdout);
            var missing = await Db("shell", "dbfault", "records", "-c", "SELECT * FROM no_such_table");
            Assert.True(missing.ExitCode == 1, missing.ToString());
            Assert.Contains("relation \"no_such_table\" does not exist", missing.Stderr);
            var (host, container) = await RunningAsync("dbfault_records", token);
            Assert.Equal("100", await PsqlAsync(host, container, "records", "SELECT count(*) FROM t"));

            // Interactive, at a terminal (script gives ward a pseudo-terminal, as a person's would be): psql's prompt,
            // the typed statement's result, \q ends it with exit 0. Input stays open a while, as a person's does.
            var session = await PipedAsync("(printf 'SELECT 6 * 7 AS product;\\n\\\\q\\n'; sleep 8) | script -qec \"dotnet '$0' db shell dbfault records --host '$1'\" /dev/null", new Dictionary<string, string?> { ["TERM"] = "xterm" });
            Assert.Contains("records=#", session.Stdout);
            Assert.Matches(@"product\s*\r?\n-+\s*\r?\n\s*42\s*\r?\n", session.Stdout);

            // A manual backup while the repository takes its first one waits for it, and is good.
            var backup = await Db("backup", "dbfault", "records", "--kind", "full");
            Assert.True(backup.ExitCode == 0, backup.ToString());
            Assert.Contains("good", backup.Stdout);

            // Rehearsals from a source that cannot be reached: a clear failure (exit 1), recorded, no password shown.
            var unresolved = await FailedRehearsalAsync("dbfault", "postgresql://legacy:unseen-secret@no-such-host.invalid:5432/legacy", "cannot be reached");
            Assert.Contains("no-such-host.invalid", unresolved.Stdout);
            var closed = await FailedRehearsalAsync("dbfault", "postgresql://records:unseen-secret@ward-db-records:5999/records", "cannot be reached");
            Assert.Contains("5999", closed.Stdout);
            Assert.DoesNotContain("unseen-secret", unresolved.Output + closed.Output);
            WardCli.AssertNoStackTrace(unresolved);
            var recorded = JsonNode.Parse((await Db("rehearsals", "dbfault", "records", "--format", "json")).Stdout)!.AsArray();
            Assert.Equal(2, recorded.Count(r => r!["verified"]!.GetValue<bool>() == false && r["failure"]!.GetValue<string>().Contains("cannot be reached", StringComparison.Ordinal)));

            // In place: rows 101-200 before the noted time, 201-300 after; the restore keeps exactly 1-200.
            await PsqlAsync(host, container, "records", "INSERT INTO t (id) SELECT generate_series(101, 200)");
            var noted = await NoteTimeAsync(token);
            await PsqlAsync(host, container, "records", "INSERT INTO t (id) SELECT generate_series(201, 300)");
            await ArchiveAsync(host, container);
            var inPlace = await Db("restore", "dbfault", "records", "--to", noted.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), "--yes");
            Assert.True(inPlace.ExitCode == 0, inPlace.ToString());
            Figures.Write($"database in-place restore: {inPlace.Stdout.Trim()}");
            Assert.Contains("in place", inPlace.Stdout);
            Assert.Contains("safety backup first", inPlace.Stdout);
            (host, container) = await RunningAsync("dbfault_records", token);
            Assert.Equal("200|1|200", await PsqlAsync(host, container, "records", "SELECT count(*), min(id), max(id) FROM t"));
            Assert.Equal("f", await PsqlAsync(host, container, "records", "SELECT pg_is_in_recovery()"));
            var listed = JsonNode.Parse((await Db("backups", "dbfault", "records", "--format", "json")).Stdout)!["backups"]!.AsArray();
            var safety = Assert.Single(listed, b => b!["trigger"]!.GetValue<string>() == "safety")!;
            Assert.Equal("ok", safety["status"]!.GetValue<string>());
            Assert.Equal("passed", safety["check"]!["status"]!.GetValue<string>());
            Assert.Equal(300, safety["check"]!["rows"]!.GetValue<long>());
            Assert.Equal("records", (await Db("shell", "dbfault", "records", "-c", "SELECT current_database()")).Stdout.Split('\n')[2].Trim());

            // Latest after an in-place restore follows the new timeline from the backup before it: 1-200 and 1001-1010,
            // never the rows 201-300 the restore undid.
            await PsqlAsync(host, container, "records", "INSERT INTO t (id) SELECT generate_series(1001, 1010)");
            var second = await NoteTimeAsync(token);
            await PsqlAsync(host, container, "records", "INSERT INTO t (id) SELECT generate_series(1011, 1020)");
            await ArchiveAsync(host, container);
            var after = await Db("restore", "dbfault", "records", "--to", "latest", "--into", "records-after");
            Assert.True(after.ExitCode == 0, after.ToString());
            var (copyHost, copy) = await RunningAsync("dbfault_records-after", token);
            Assert.Equal("220|0", await PsqlAsync(copyHost, copy, "records", "SELECT count(*), count(*) FILTER (WHERE id BETWEEN 201 AND 300) FROM t"));

            // ward killed (SIGKILL) once the in-place restore has stopped the database: it stays stopped (it never serves
            // a half-restored cluster), every command says so, and --resume finishes the restore.
            using (var killed = WardCli.Start(["db", "restore", "dbfault", "records", "--to", second.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), "--yes", "--host", TestCluster.ManagerHost]))
            {
                await Poll.RequireAsync("the in-place restore stopping the database", async () =>
                    (await DatabaseServiceAsync("dbfault", token))["Spec"]!["Labels"]?["ward.database.restoring"] is not null || killed.HasExited, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(200));
                Assert.False(killed.HasExited, killed.Output);
                killed.Kill();
                await killed.WaitAsync(TimeSpan.FromSeconds(10), token);
            }

            await Poll.RequireAsync("the database stopped", async () => (await cluster.Manager.RunningTasksAsync("dbfault_records", token)).Count == 0, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromSeconds(5), token);
            Assert.Empty(await cluster.Manager.RunningTasksAsync("dbfault_records", token));
            var status = await Db("status", "dbfault", "records");
            Assert.True(status.ExitCode == 1, status.ToString());
            Assert.Contains("did not finish", status.Stderr);
            Assert.Contains("--resume", status.Stderr);
            var blocked = await Db("restore", "dbfault", "records", "--to", "latest", "--into", "records-blocked");
            Assert.True(blocked.ExitCode == 1, blocked.ToString());
            Assert.Contains("--resume", blocked.Stderr);
            var resumed = await Db("restore", "dbfault", "records", "--resume");
            Assert.True(resumed.ExitCode == 0, resumed.ToString());
            Assert.Contains("runs again on the restored cluster", resumed.Stdout);
            Figures.Write($"database in-place restore, ward killed once the database stopped, then --resume: {resumed.Stdout.Trim()}");
            (host, container) = await RunningAsync("dbfault_records", token);
            Assert.Equal("210|1010", await PsqlAsync(host, container, "records", "SELECT count(*), max(id) FROM t"));
            Assert.Null((await DatabaseServiceAsync("dbfault", token))["Spec"]!["Labels"]?["ward.database.restoring"]);
            var again = await Db("restore", "dbfault", "records", "--resume");
            Assert.True(again.ExitCode == 2, again.ToString());
            Assert.Contains("no interrupted in-place restore", again.Stderr);

            // The repository's disk full: the backup fails with the reason and is never shown good; the database is
            // untouched; once there is room again a backup is good.
            var (repositoryHost, repository) = await RunningAsync("dbfault_ward-backups-records", token);
            var fill = await DockerCli.RunOnAsync(repositoryHost, "exec", repository, "sh", "-c", "dd if=/dev/zero of=/var/lib/ward-backups/filler bs=1M count=400 2>&1; df -k /var/lib/ward-backups | tail -1");
            Assert.Contains("No space left on device", fill.Stdout);
            var attempted = DateTimeOffset.UtcNow.AddSeconds(-1);
            var full = await Db("backup", "dbfault", "records", "--kind", "full");
            Assert.True(full.ExitCode == 1, full.ToString());
            Figures.Write($"database backup into a full repository: {full.Stderr.Trim()}");
            Assert.Contains("disk is full", full.Stderr);
            WardCli.AssertNoStackTrace(full);
            // Whether or not the full repository could still record the attempt, nothing since it is listed good.
            var afterFull = JsonNode.Parse((await Db("backups", "dbfault", "records", "--format", "json")).Stdout)!["backups"]!.AsArray();
            var since = afterFull.Where(b => DateTimeOffset.Parse(b!["started"]!.GetValue<string>(), CultureInfo.InvariantCulture) >= attempted).ToList();
            Assert.All(since, b => Assert.NotEqual("ok", b!["status"]!.GetValue<string>()));
            Assert.Equal("210|1010", await PsqlAsync(host, container, "records", "SELECT count(*), max(id) FROM t"));
            await DockerCli.RunOnAsync(repositoryHost, "exec", repository, "rm", "-f", "/var/lib/ward-backups/filler");
            var roomy = await Db("backup", "dbfault", "records", "--kind", "full");
            Assert.True(roomy.ExitCode == 0, roomy.ToString());
            Assert.Contains("good", roomy.Stdout);
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "dbfault", token);
        }
    }

    /// <summary>A moment between two writes, two seconds from each (the database's clock and this one agree: one host).</summary>
    private static async Task<DateTimeOffset> NoteTimeAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var noted = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        return noted;
    }

    /// <summary>Switches the WAL and waits until the archive has it: everything written so far is restorable.</summary>
    private static async Task ArchiveAsync(string host, string container)
    {
        var archived = (await StatusAsync("dbfault")).ArchivedWal;
        await PsqlAsync(host, container, "records", "SELECT pg_switch_wal()");
        await Poll.RequireAsync("the WAL written so far archived", async () => (await StatusAsync("dbfault")).ArchivedWal > archived, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(2));
    }

    private async Task<JsonObject> DatabaseServiceAsync(string environment, CancellationToken cancellationToken) =>
        (await cluster.Manager.ListStackAsync("services", environment, cancellationToken)).Single(s => s["Spec"]!["Labels"]?["ward.database.role"]?.GetValue<string>() == "database");

    /// <summary>ward apply, then the database's status once it answers.</summary>
    private static async Task<JsonNode> ApplyAsync(EnvironmentFile environment, CancellationToken cancellationToken)
    {
        var apply = await WardCli.RunAsync(["apply", environment.Path, "--yes", "--host", TestCluster.ManagerHost], null, TimeSpan.FromMinutes(8));
        Assert.True(apply.ExitCode == 0, apply.ToString());
        return await WaitForStatusAsync(environment.Name, cancellationToken);
    }

    /// <summary>A shell pipeline around ward, as a person types it ($0 is ward.dll, $1 the manager); it must succeed.</summary>
    private static async Task<ProcessResult> PipedAsync(string pipeline, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var result = await Processes.RunAsync("sh", ["-c", pipeline, Path.Combine(AppContext.BaseDirectory, "ward.dll"), TestCluster.ManagerHost], WardCli.Environment(environment), TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>A rehearsal that could not run to its verification: exit 1, and the reason on the record printed.</summary>
    private static async Task<ProcessResult> FailedRehearsalAsync(string environment, string source, string reason)
    {
        var result = await Db("rehearse", environment, "records", "--from", source);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(reason, result.Stdout);
        return result;
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
