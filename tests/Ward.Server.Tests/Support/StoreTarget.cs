using Npgsql;
using Ward.Store;

namespace Ward.Server.Tests.Support;

/// <summary>A store for a test server: SQLite in the server's data folder, or one PostgreSQL database of its own.</summary>
internal sealed record StoreTarget(string Provider, string? ConnectionString)
{
    public static readonly StoreTarget Sqlite = new("sqlite", null);

    public IReadOnlyList<string> Settings => Provider == "postgres"
        ? ["--Ward:StoreProvider=postgres", $"--Ward:StoreConnectionString={ConnectionString}"]
        : [];

    public StoreOptions Options(string dataDirectory) => new() { Provider = Provider, DataDirectory = dataDirectory, ConnectionString = ConnectionString };
}

/// <summary>
/// The stores a test class runs against. Each class gets its own: fresh SQLite folders, or fresh PostgreSQL databases
/// (ward_test_*) on the server scripts/start-test-services.sh starts, dropped when the class is done.
/// </summary>
public abstract class StoreFixture : IAsyncLifetime
{
    private readonly List<string> _folders = [];
    private Shared? _shared;

    internal abstract string Provider { get; }

    /// <summary>A server on a store of its own, with an owner, shared by the tests of one class (they run one at a time).</summary>
    internal sealed record Shared(WardHost Host, ApiClient Owner, StoreTarget Store);

    internal async Task<Shared> SharedAsync()
    {
        if (_shared is null)
        {
            var (store, data) = await CreateAsync();
            var host = await WardHost.StartAsync(new HostOptions { Store = store, DataDirectory = data });
            _shared = new Shared(host, await host.CreateOwnerAsync(), store);
        }

        return _shared;
    }

    /// <summary>Stops the shared server; the stores go with the fixture.</summary>
    protected async ValueTask StopSharedAsync()
    {
        if (_shared is not null)
        {
            await _shared.Host.DisposeAsync();
            _shared = null;
        }
    }

    /// <summary>A new, empty store and a data folder for a server using it.</summary>
    internal virtual Task<(StoreTarget Store, string DataDirectory)> CreateAsync()
    {
        var folder = Directory.CreateTempSubdirectory("ward-server-tests-").FullName;
        _folders.Add(folder);
        return Task.FromResult((StoreTarget.Sqlite, folder));
    }

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        await StopSharedAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var folder in _folders)
        {
            File.Delete(WardHost.DefaultKeyFile(folder));
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left behind in the temp folder; nothing depends on it.
            }
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteStores : StoreFixture
{
    internal override string Provider => "sqlite";
}

/// <summary>PostgreSQL databases for one test class. When the server is not there, every test of the class fails saying how to start it.</summary>
public sealed class PostgresStores : StoreFixture
{
    /// <summary>The test server (scripts/start-test-services.sh); WARD_TEST_POSTGRES names another one.</summary>
    public static readonly string Server = Environment.GetEnvironmentVariable("WARD_TEST_POSTGRES") is { Length: > 0 } other
        ? other
        : "Host=127.0.0.1;Port=5432;Username=ward;Password=ward-tests;Timeout=15";

    private readonly List<string> _databases = [];

    internal override string Provider => "postgres";

    public override async ValueTask InitializeAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(Server + ";Database=postgres;Pooling=false");
            await connection.OpenAsync(TestContext.Current.CancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            var server = new NpgsqlConnectionStringBuilder(Server);
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable at {server.Host}:{server.Port} as role {server.Username} ({e.Message}). The PostgreSQL store tests need it: " +
                "run scripts/start-test-services.sh (as root), then run the tests again.", e);
        }
    }

    internal override async Task<(StoreTarget Store, string DataDirectory)> CreateAsync()
    {
        var (_, folder) = await base.CreateAsync();
        var name = $"ward_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(Server + ";Database=postgres;Pooling=false"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        _databases.Add(name);
        return (new StoreTarget("postgres", $"{Server};Database={name}"), folder);
    }

    public override async ValueTask DisposeAsync()
    {
        await StopSharedAsync();
        NpgsqlConnection.ClearAllPools();
        if (_databases.Count > 0)
        {
            await using var connection = new NpgsqlConnection(Server + ";Database=postgres;Pooling=false");
            await connection.OpenAsync();
            foreach (var name in _databases)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        await base.DisposeAsync();
    }
}
