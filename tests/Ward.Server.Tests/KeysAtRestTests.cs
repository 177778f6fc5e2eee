using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ward.Server.Services;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// What a copy of the store is worth without the server: the data-protection key ring (which encrypts secret values,
/// TOTP secrets and cookies) is itself encrypted with a key kept in a file outside the data folder; the data folder
/// and database are private to the server's user; secret fingerprints are keyed per installation.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeysAtRestTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task The_key_ring_is_stored_encrypted_with_a_key_file_kept_outside_the_data_folder()
    {
        // Finding 9: the key ring was in ward.db unencrypted (0644, in a 0755 folder).
        await using var host = await WardHost.StartAsync();
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, Environments.File("vault"));
        await owner.PutAsync("/api/v1/environments/vault/secrets/token", new { value = "a value worth stealing" }).Expect(200);

        var keyFile = WardHost.DefaultKeyFile(host.DataDirectory);
        Assert.True(File.Exists(keyFile), $"no key file at {keyFile}");
        Assert.False(Path.GetFullPath(keyFile).StartsWith(Path.GetFullPath(host.DataDirectory) + "/", StringComparison.Ordinal));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(host.DataDirectory));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(Path.Combine(host.DataDirectory, "ward.db")));

        await using var db = host.Store.CreateContext();
        var keys = await db.DataProtectionKeys.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
        Assert.NotEmpty(keys);
        Assert.All(keys, k =>
        {
            Assert.Contains("encryptedSecret", k.Xml, StringComparison.Ordinal);
            Assert.DoesNotContain("masterKey", k.Xml, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_copy_of_the_database_decrypts_nothing_without_the_key_file()
    {
        await using var host = await WardHost.StartAsync();
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, Environments.File("vault"));
        await owner.PutAsync("/api/v1/environments/vault/secrets/token", new { value = "a value worth stealing" }).Expect(200);

        // The thief has the database file and Ward's code, not the key file.
        using var stolen = new Folder();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.EnumerateFiles(host.DataDirectory, "ward.db*"))
        {
            File.Copy(file, Path.Combine(stolen.Path, Path.GetFileName(file)));
        }

        var copy = new Ward.Store.StoreOptions { DataDirectory = stolen.Path };
        string protectedSecret, protectedTotp;
        await using (var db = copy.CreateContext())
        {
            protectedSecret = (await db.Secrets.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken)).ProtectedValue;
            protectedTotp = (await db.Users.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken)).TotpSecret!;
        }

        await using var provider = KeyRingWithoutKeyFile(copy, makeKeys: false);
        var protection = provider.GetRequiredService<IDataProtectionProvider>();
        Assert.ThrowsAny<CryptographicException>(() => protection.CreateProtector("Ward.Secrets.v1").Unprotect(protectedSecret));
        Assert.ThrowsAny<CryptographicException>(() => protection.CreateProtector("Ward.Totp.v1").Unprotect(protectedTotp));

        // The values are in the copy, encrypted: the server itself decrypts them with its key file.
        Assert.Equal("a value worth stealing", Encoding.UTF8.GetString(host.App.Services.GetRequiredService<SecretVault>().Unprotect(protectedSecret)));
    }

    [Fact]
    public async Task A_key_ring_stored_in_clear_by_an_earlier_version_is_encrypted_at_start_and_still_decrypts()
    {
        using var data = new Folder();

        // What an earlier Ward left: a key ring in clear in the store, and a secret encrypted with it.
        var store = new Ward.Store.StoreOptions { DataDirectory = data.Path };
        await store.MigrateAsync(TestContext.Current.CancellationToken);
        string earlier;
        await using (var provider = KeyRingWithoutKeyFile(store, makeKeys: true))
        {
            earlier = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("Ward.Secrets.v1").Protect("kept from before");
        }

        await using (var db = store.CreateContext())
        {
            Assert.Contains("masterKey", (await db.DataProtectionKeys.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken)).Xml, StringComparison.Ordinal);
        }

        await using var host = await WardHost.StartAsync(new HostOptions { DataDirectory = data.Path });
        await using (var db = store.CreateContext())
        {
            var xml = (await db.DataProtectionKeys.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken)).Xml;
            Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
            Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
        }

        Assert.Equal("kept from before", Encoding.UTF8.GetString(host.App.Services.GetRequiredService<SecretVault>().Unprotect(earlier)));
    }

    [Fact]
    public async Task A_server_without_the_right_key_file_refuses_to_start_naming_the_setting()
    {
        using var data = new Folder();
        using var elsewhere = new Folder();
        await using (var first = await WardHost.StartAsync(new HostOptions { DataDirectory = data.Path }))
        {
            await first.CreateOwnerAsync();
        }

        // Missing: the server does not make a new key that cannot read the store's key ring.
        var missing = Path.Combine(elsewhere.Path, "missing.key");
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => WardHost.StartAsync(new HostOptions { DataDirectory = data.Path, KeyFile = missing }));
        Assert.StartsWith("Ward:KeyFile", Assert.Single(refused.Failures), StringComparison.Ordinal);
        Assert.False(File.Exists(missing));

        // Another installation's key.
        var other = Path.Combine(elsewhere.Path, "other.key");
        await File.WriteAllBytesAsync(other, RandomNumberGenerator.GetBytes(32), TestContext.Current.CancellationToken);
        File.SetUnixFileMode(other, OwnerReadWrite);
        refused = await Assert.ThrowsAsync<OptionsValidationException>(() => WardHost.StartAsync(new HostOptions { DataDirectory = data.Path, KeyFile = other }));
        Assert.StartsWith("Ward:KeyFile", Assert.Single(refused.Failures), StringComparison.Ordinal);

        // The right key, readable by others: refused until its mode is fixed.
        var right = WardHost.DefaultKeyFile(data.Path);
        File.SetUnixFileMode(right, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        refused = await Assert.ThrowsAsync<OptionsValidationException>(() => WardHost.StartAsync(new HostOptions { DataDirectory = data.Path }));
        Assert.StartsWith("Ward:KeyFile", Assert.Single(refused.Failures), StringComparison.Ordinal);
        Assert.Contains("chmod 600", refused.Failures.Single(), StringComparison.Ordinal);
        File.SetUnixFileMode(right, OwnerReadWrite);
        await using var again = await WardHost.StartAsync(new HostOptions { DataDirectory = data.Path });
    }

    [Fact]
    public async Task Secret_fingerprints_are_keyed_per_installation_and_stable_across_restarts()
    {
        // Finding 9: names and fingerprints carried a plain SHA-256 of the value, so weak values could be guessed.
        var plain = Convert.ToHexStringLower(SHA256.HashData("Winter2026"u8))[..10];
        using var data = new Folder();
        string first, again, other, ownerSecret;
        await using (var host = await WardHost.StartAsync(new HostOptions { DataDirectory = data.Path }))
        {
            var owner = await host.CreateOwnerAsync();
            ownerSecret = owner.TotpSecret!;
            first = await FingerprintAsync(host, owner);
        }

        await using (var host = await WardHost.StartAsync(new HostOptions { DataDirectory = data.Path }))
        {
            again = await FingerprintAsync(host, await host.SignInAsync("owner", WardHost.Password, totpSecret: ownerSecret), register: false);
        }

        await using (var host = await WardHost.StartAsync())
        {
            other = await FingerprintAsync(host, await host.CreateOwnerAsync());
        }

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.DoesNotContain(plain, first, StringComparison.Ordinal);
        Assert.DoesNotContain(plain, other, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_object_names_in_the_swarm_carry_a_keyed_version_not_a_plain_hash()
    {
        var swarm = new FakeSwarm();
        await using var host = await WardHost.StartAsync(new HostOptions { Engine = swarm });
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, Environments.File("vault"));
        await owner.PutAsync("/api/v1/environments/vault/secrets/token", new { value = "Winter2026" }).Expect(200);
        var started = await owner.PostAsync("/api/v1/environments/vault/applies", new { prune = false }).Expect(202);
        await WardHost.WaitForOperationAsync(owner, started.Json!["id"]!.GetValue<Guid>());

        var name = swarm.Created.Select(s => s["Name"]!.GetValue<string>()).Single(n => n.StartsWith("vault_token_", StringComparison.Ordinal));
        Assert.DoesNotContain(Convert.ToHexStringLower(SHA256.HashData("Winter2026"u8))[..10], name, StringComparison.Ordinal);
        Assert.Equal("vault_token_" + host.App.Services.GetRequiredService<SecretVault>().ObjectVersion("Winter2026"u8.ToArray()), name);
    }

    private static async Task<string> FingerprintAsync(WardHost host, ApiClient owner, bool register = true)
    {
        if (register)
        {
            await WardHost.RegisterAsync(owner, Environments.File("vault"));
        }

        await owner.PutAsync("/api/v1/environments/vault/secrets/token", new { value = "Winter2026" }).Expect(200);
        await using var db = host.Store.CreateContext();
        return (await db.Secrets.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken)).ContentHash;
    }

    [Fact]
    public async Task A_key_file_inside_the_data_folder_is_refused()
    {
        using var data = new Folder();
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => WardHost.StartAsync(new HostOptions { DataDirectory = data.Path, KeyFile = Path.Combine(data.Path, "ward.key") }));
        Assert.StartsWith("Ward:KeyFile", Assert.Single(refused.Failures), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, "ward.key")));
    }

    [Fact]
    public async Task Passwords_are_stored_only_as_slow_salted_hashes()
    {
        await using var host = await WardHost.StartAsync();
        await host.CreateOwnerAsync();
        await using var db = host.Store.CreateContext();
        var stored = (await db.Users.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken)).PasswordHash;
        Assert.Matches("^pbkdf2-sha512\\$210000\\$[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}$", stored);
        Assert.DoesNotContain(WardHost.Password, stored, StringComparison.Ordinal);
    }

    /// <summary>The framework's data protection on a store, as code without Ward's key file sees it.</summary>
    private static ServiceProvider KeyRingWithoutKeyFile(Ward.Store.StoreOptions store, bool makeKeys)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<KeyContext>(o => KeyContext.Configure(o, store));
        var protection = services.AddDataProtection().SetApplicationName("ward").PersistKeysToDbContext<KeyContext>();
        if (!makeKeys)
        {
            protection.DisableAutomaticKeyGeneration();
        }

        return services.BuildServiceProvider();
    }

    /// <summary>A folder of the test's own, removed at the end with the key file a server made beside it.</summary>
    private sealed class Folder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ward-server-tests-").FullName;

        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(WardHost.DefaultKeyFile(Path));
            Directory.Delete(Path, recursive: true);
        }
    }
}
