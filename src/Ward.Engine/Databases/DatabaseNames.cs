using Ward.Engine.Desired;
using Ward.Model.Spec;

namespace Ward.Engine.Databases;

/// <summary>
/// The names and labels of what Ward runs for a database: its service (the file's, completed, or one Ward adds), its
/// backup repository, the network they and the jobs share, the keys and the volumes. One place, so that planning,
/// the jobs and the look-ups of a deployed database agree.
/// </summary>
public static class DatabaseNames
{
    /// <summary>Ward's database image: PostgreSQL 15.20 and pgBackRest 2.45 from Debian, with ward-db (images/db).</summary>
    public const string Image = "ward/db:15.20-2.45";

    /// <summary>On a database's service (and its repository, jobs and copies): the database's name in x-ward.databases.</summary>
    public const string DatabaseLabel = "ward.database";

    /// <summary>On a database's service: its tier.</summary>
    public const string TierLabel = "ward.database.tier";

    /// <summary>database, repository, job or copy.</summary>
    public const string RoleLabel = "ward.database.role";

    /// <summary>On a job: the environment it works for (jobs carry no stack namespace, so no apply or prune touches them).</summary>
    public const string JobEnvironmentLabel = "ward.job.environment";

    /// <summary>On a job: what it does (backup, restore, swap, rehearse).</summary>
    public const string JobLabel = "ward.job";

    /// <summary>On a restored copy: the database it was restored from, and to what time.</summary>
    public const string RestoredFromLabel = "ward.database.restored-from";

    public const string RestoredToLabel = "ward.database.restored-to";

    /// <summary>
    /// On a database stopped for an in-place restore: the restore's id, set with the stop and removed with the start,
    /// so a restore whose follower was killed in between is seen, and finished, by the next command.
    /// </summary>
    public const string RestoringLabel = "ward.database.restoring";

    /// <summary>With <see cref="RestoringLabel"/>: the node whose volume holds the restore (a stopped service keeps no task to say it).</summary>
    public const string RestoringNodeLabel = "ward.database.restoring-node";

    /// <summary>Where the database's volume is mounted in Ward's image.</summary>
    public const string DataPath = "/var/lib/postgresql/data";

    public const string RepositoryPath = "/var/lib/ward-backups";

    public const string ScratchPath = "/var/lib/ward-scratch";

    /// <summary>The TLS bundle's file in the containers (a Docker secret).</summary>
    public const string TlsFile = "ward-db-tls";

    /// <summary>The postgres user of Ward's image (uid and gid 999).</summary>
    public const string User = "999";

    public static string Network(string environment, string database) => StackNames.Scoped(environment, $"ward-db-{database}");

    /// <summary>The database's name on its own network, for its repository and jobs.</summary>
    public static string DatabaseAlias(string database) => $"ward-db-{database}";

    public static string RepositoryAlias(string database) => DatabaseSpec.RepositoryServiceOf(database);

    public static string RepositoryService(string environment, string database) => StackNames.Scoped(environment, RepositoryAlias(database));

    public static string RepositoryVolume(string environment, string database) => StackNames.Scoped(environment, RepositoryAlias(database));

    public static string ScratchVolume(string environment, string database) => StackNames.Scoped(environment, $"ward-scratch-{database}");

    /// <summary>The volume of a database Ward adds (a file's service keeps its own).</summary>
    public static string DataVolume(string environment, string database) => StackNames.Scoped(environment, $"ward-db-{database}");

    public static string TlsSecret(string environment, string database) => StackNames.Scoped(environment, $"ward-db-{database}-tls");

    /// <summary>The password Ward makes for a database it adds (a file's service brings its own).</summary>
    public static string PasswordSecret(string environment, string database) => StackNames.Scoped(environment, $"ward-db-{database}-password");

    public static string Job(string id) => $"ward-job-{id}";
}
