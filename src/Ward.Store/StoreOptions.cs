using Microsoft.EntityFrameworkCore;

namespace Ward.Store;

/// <summary>Where the state lives: <c>sqlite</c> in the data folder (default) or <c>postgres</c> by connection string.</summary>
public sealed record StoreOptions
{
    public string Provider { get; init; } = "sqlite";

    /// <summary>For sqlite: the folder holding ward.db; created when missing.</summary>
    public string DataDirectory { get; init; } = "/var/lib/ward/data";

    /// <summary>For postgres: an Npgsql connection string.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Makes a context for these options; the caller disposes it.</summary>
    public WardDbContext CreateContext() => Provider switch
    {
        "postgres" => new PostgresWardDbContext(new DbContextOptionsBuilder<PostgresWardDbContext>()
            .UseNpgsql(ConnectionString ?? throw new InvalidOperationException("Ward:Store:ConnectionString is required for the postgres store"))
            .Options),
        _ => new SqliteWardDbContext(new DbContextOptionsBuilder<SqliteWardDbContext>()
            .UseSqlite($"Data Source={Path.Combine(DataDirectory, "ward.db")};Cache=Shared")
            .Options),
    };

    /// <summary>
    /// Creates the folder (private to the server's user: 0700, and the database in it 0600, whatever the umask) and
    /// applies the provider's migrations.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (Provider != "postgres")
        {
            KeepPrivate();
        }

        await using var context = CreateContext();
        await context.Database.MigrateAsync(cancellationToken);
    }

    private void KeepPrivate()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(DataDirectory);
            return;
        }

        const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Directory.CreateDirectory(DataDirectory, Folder);
        System.IO.File.SetUnixFileMode(DataDirectory, Folder);

        // SQLite makes its journal and write-ahead files with the database's mode, so the database is made first, empty.
        var database = Path.Combine(DataDirectory, "ward.db");
        if (!System.IO.File.Exists(database))
        {
            new FileStream(database, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = File }).Dispose();
        }

        foreach (var file in Directory.EnumerateFiles(DataDirectory, "ward.db*"))
        {
            System.IO.File.SetUnixFileMode(file, File);
        }
    }
}

/// <summary>Design-time factories, so `dotnet ef migrations add` can make each provider's migrations.</summary>
internal sealed class SqliteDesignFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<SqliteWardDbContext>
{
    public SqliteWardDbContext CreateDbContext(string[] args) => (SqliteWardDbContext)new StoreOptions { DataDirectory = Path.GetTempPath() }.CreateContext();
}

internal sealed class PostgresDesignFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<PostgresWardDbContext>
{
    public PostgresWardDbContext CreateDbContext(string[] args) =>
        (PostgresWardDbContext)new StoreOptions { Provider = "postgres", ConnectionString = "Host=127.0.0.1;Username=ward;Password=design;Database=ward" }.CreateContext();
}
