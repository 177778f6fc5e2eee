using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Ward.Store.Entities;

namespace Ward.Store;

/// <summary>
/// The control plane's state. One model, two providers: each provider has its own subclass so that its migrations
/// live apart (Migrations/Sqlite, Migrations/Postgres). Saving bumps every changed object's version; a stale version
/// makes EF throw <see cref="DbUpdateConcurrencyException"/>, which the API turns into 409.
/// </summary>
public abstract class WardDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>The server's data protection keys, in the store so that every replica can read what another encrypted.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<User> Users => Set<User>();

    public DbSet<RoleGrant> RoleGrants => Set<RoleGrant>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<StoredEnvironment> Environments => Set<StoredEnvironment>();

    public DbSet<StoredSecret> Secrets => Set<StoredSecret>();

    public DbSet<Operation> Operations => Set<Operation>();

    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();

    public DbSet<SignInFailure> SignInFailures => Set<SignInFailure>();

    public DbSet<Installation> Installation => Set<Installation>();

    public DbSet<DomainObservation> DomainObservations => Set<DomainObservation>();

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        BumpVersions();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        BumpVersions();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.HasKey(u => u.Id);
            user.HasIndex(u => u.UserName).IsUnique();
            user.Property(u => u.UserName).HasMaxLength(64);
        });
        modelBuilder.Entity<RoleGrant>(grant =>
        {
            grant.HasKey(g => g.Id);
            grant.HasIndex(g => new { g.UserId, g.Role, g.Environment }).IsUnique();
        });
        modelBuilder.Entity<ApiToken>(token =>
        {
            token.HasKey(t => t.Id);
            token.HasIndex(t => t.Hash).IsUnique();
        });
        modelBuilder.Entity<StoredEnvironment>(environment =>
        {
            environment.HasKey(e => e.Id);
            environment.HasIndex(e => e.Name).IsUnique();
            environment.Property(e => e.Name).HasMaxLength(63);
        });
        modelBuilder.Entity<StoredSecret>(secret =>
        {
            secret.HasKey(s => s.Id);
            secret.HasIndex(s => new { s.Environment, s.Key }).IsUnique();
        });
        modelBuilder.Entity<DomainObservation>(observation =>
        {
            observation.HasKey(o => o.Id);
            observation.HasIndex(o => new { o.Environment, o.Domain, o.Since });
            observation.Property(o => o.Environment).HasMaxLength(63);
            observation.Property(o => o.Domain).HasMaxLength(253);
            observation.Property(o => o.Records).HasMaxLength(2000);
        });
        modelBuilder.Entity<Operation>(operation =>
        {
            operation.HasKey(o => o.Id);
            operation.HasIndex(o => new { o.Environment, o.StartedAt });
        });
        modelBuilder.Entity<Session>(session =>
        {
            session.HasKey(s => s.Id);
            session.HasIndex(s => s.UserId);
            session.Property(s => s.Stage).HasMaxLength(16);
        });
        modelBuilder.Entity<RecoveryCode>(code =>
        {
            code.HasKey(c => c.Id);
            code.HasIndex(c => new { c.UserId, c.Hash }).IsUnique();
            code.Property(c => c.Hash).HasMaxLength(64);
        });
        modelBuilder.Entity<SignInFailure>(failure =>
        {
            failure.HasKey(f => f.Key);
            failure.Property(f => f.Key).HasMaxLength(200);
            failure.HasIndex(f => f.LastFailureAt);
        });
        modelBuilder.Entity<Installation>(installation =>
        {
            installation.HasKey(i => i.Id);
            installation.Property(i => i.Id).ValueGeneratedNever();
        });
        modelBuilder.Entity<AuditEntry>(entry =>
        {
            entry.HasKey(a => a.Sequence);
            entry.Property(a => a.Sequence).ValueGeneratedNever();
            entry.HasIndex(a => a.At);
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(t => typeof(Versioned).IsAssignableFrom(t.ClrType)))
        {
            modelBuilder.Entity(entity.ClrType).Property(nameof(Versioned.Version)).IsConcurrencyToken();
        }
    }

    private void BumpVersions()
    {
        foreach (var entry in ChangeTracker.Entries<Versioned>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Entity.Version++;
            }
        }
    }
}

/// <summary>The SQLite store: a file in the data folder, nothing to install.</summary>
public sealed class SqliteWardDbContext(DbContextOptions<SqliteWardDbContext> options) : WardDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);

        // SQLite has no time type that sorts and compares; store instants as UTC ticks.
        var toTicks = new DateTimeOffsetToBinaryConverter();
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(t => t.GetProperties())
                     .Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
        {
            property.SetValueConverter(toTicks);
        }
    }
}

/// <summary>The PostgreSQL store, for teams that run several Ward replicas.</summary>
public sealed class PostgresWardDbContext(DbContextOptions<PostgresWardDbContext> options) : WardDbContext(options);
