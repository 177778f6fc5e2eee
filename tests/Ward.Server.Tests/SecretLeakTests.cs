using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// No secret value anywhere: known random values (secret values through the API and through an environment file's
/// file: secret, passwords, TOTP secrets, an API token) are set, the API is exercised end to end, and every answer
/// (status, headers, body), every log entry, every audit entry and the store's files on disk are searched for them,
/// as they are and base64-encoded. The one-time answers (a new token, a new TOTP secret) may show their own value.
/// </summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    private readonly FakeSwarm _swarm = new();
    private WardHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await WardHost.StartAsync(new HostOptions { Engine = _swarm });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task No_secret_value_reaches_an_answer_a_log_line_or_the_audit_log()
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["owner password"] = Random("ownerpw"),
            ["admin password"] = Random("adminpw"),
            ["admin's new password"] = Random("adminnew"),
            ["deployer password"] = Random("deploypw"),
            ["a wrong password"] = Random("wrongpw"),
            ["secret value"] = Random("secret"),
            ["rotated secret value"] = Random("rotated"),
            ["file secret value"] = Random("filesecret"),
        };

        // The file: secret sits in the server's files folder, next to where the environment file would be.
        Directory.CreateDirectory(Path.Combine(_host.DataDirectory, "files", "secrets"));
        await File.WriteAllTextAsync(Path.Combine(_host.DataDirectory, "files", "secrets", "certificate.txt"), secrets["file secret value"], TestContext.Current.CancellationToken);

        var owner = await _host.CreateOwnerAsync("owner", secrets["owner password"]);
        var adminId = await WardHost.CreateUserAsync(owner, "admin", secrets["admin password"]);
        await WardHost.GrantAsync(owner, adminId, "admin");
        var admin = await _host.SignInAsync("admin", secrets["admin password"]);
        var deployerId = await WardHost.CreateUserAsync(owner, "deployer", secrets["deployer password"]);
        await WardHost.GrantAsync(owner, deployerId, "deployer", "vault");
        var deployer = await _host.SignInAsync("deployer", secrets["deployer password"]);
        secrets["owner's TOTP secret"] = owner.TotpSecret!;
        secrets["admin's TOTP secret"] = admin.TotpSecret!;

        await WardHost.RegisterAsync(admin, Environments.File("vault", fileSecret: true));
        var set = await owner.PutAsync("/api/v1/environments/vault/secrets/token", new { value = secrets["secret value"] }).Expect(200);
        await deployer.PutAsync("/api/v1/environments/vault/secrets/token", new { value = secrets["rotated secret value"], version = set.Json!["version"]!.GetValue<long>() }).Expect(200);

        // Refused writes must not echo the value either.
        await owner.PutAsync("/api/v1/environments/vault/secrets/bad%20key!", new { value = secrets["secret value"] }).Expect(400, "invalid_secret_key");
        // A name ends at the end of the text, as the Docker CLI matches names: a final line break is refused too.
        await owner.PutAsync("/api/v1/environments/vault/secrets/token%0A", new { value = secrets["secret value"] }).Expect(400, "invalid_secret_key");
        await owner.PutAsync("/api/v1/environments/nowhere/secrets/token", new { value = secrets["secret value"] }).Expect(404);
        await owner.PutAsync("/api/v1/environments/vault/secrets/token", new { value = secrets["secret value"], version = 1 }).Expect(409, "stale_version");
        var malformed = await owner.SendAsync(HttpMethod.Put, "/api/v1/environments/vault/secrets/token", rawJson: $"{{\"value\": \"{secrets["secret value"]}\", \"version\": \"{secrets["secret value"]}\"}}");
        Assert.Equal(400, malformed.Status);
        await _host.Anonymous().PostAsync("/api/v1/session", new { userName = "admin", password = secrets["a wrong password"] }).Expect(401, "invalid_credentials");

        // A password change, and a sign-in with it and the second factor.
        var adminVersion = await WardHost.UserVersionAsync(owner, adminId);
        await owner.PutAsync($"/api/v1/users/{adminId}", new { password = secrets["admin's new password"], version = adminVersion }).Expect(200);
        await _host.SignInAsync("admin", secrets["admin's new password"], totpSecret: admin.TotpSecret);

        var token = await WardHost.CreateTokenAsync(owner, "admin");
        secrets["API token"] = token;
        using var tokenClient = _host.WithToken(token);

        // Everything a client can read.
        var plan = await deployer.PostAsync("/api/v1/environments/vault/plans", new { prune = false }).Expect(200);
        Assert.True(plan.Json!["hasChanges"]!.GetValue<bool>(), plan.ToString());
        var apply = await deployer.PostAsync("/api/v1/environments/vault/applies", new { prune = false }).Expect(202);
        var operationId = apply.Json!["id"]!.GetValue<Guid>();
        var finished = await WardHost.WaitForOperationAsync(deployer, operationId);
        Assert.Equal("failed", finished["state"]!.GetValue<string>());
        foreach (var client in new[] { owner, deployer, tokenClient })
        {
            foreach (var path in new[]
                     {
                         "/api/v1/session", "/api/v1/environments", "/api/v1/environments/vault", "/api/v1/environments/vault/findings",
                         "/api/v1/environments/vault/secrets", "/api/v1/environments/vault/status", "/api/v1/environments/vault/operations",
                         $"/api/v1/operations/{operationId}", $"/api/v1/operations/{operationId}/events", "/api/v1/nodes",
                         "/api/v1/users", "/api/v1/tokens", "/api/v1/audit?limit=5000", "/api/v1/audit/export?format=csv",
                         "/api/v1/audit/export?format=json", "/api/v1/audit/export", "/api/v1/audit/verify",
                     })
            {
                await client.GetAsync(path);
            }
        }

        await owner.PostAsync("/api/v1/environments/vault/plans", new { prune = true }).Expect(200);
        await owner.DeleteAsync("/api/v1/session").Expect(204);

        // The values did reach where they belong: the swarm got the secret values (base64, as the Engine API takes
        // them), and the one-time answers showed the token and the TOTP secrets. So the search below can find them.
        var created = string.Join("\n", _swarm.Created.Select(s => s.ToJsonString()));
        Assert.Contains(Base64(secrets["rotated secret value"]), created, StringComparison.Ordinal);
        Assert.Contains(Base64(secrets["file secret value"]), created, StringComparison.Ordinal);
        var transcript = _host.Transcript.ToList();
        Assert.Contains(transcript, t => IsShownOnce(t, "API token") && t.Contains(token, StringComparison.Ordinal));
        Assert.Contains(transcript, t => IsShownOnce(t, "owner's TOTP secret") && t.Contains(owner.TotpSecret!, StringComparison.Ordinal));

        var leaks = new List<string>();
        foreach (var text in transcript)
        {
            Search("answer", text, secrets, leaks, allowed: name => IsShownOnce(text, name));
        }

        foreach (var line in _host.Logs.Lines)
        {
            Search("log", line, secrets, leaks);
        }

        await using (var db = _host.Store.CreateContext())
        {
            foreach (var entry in await db.Audit.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(TestContext.Current.CancellationToken))
            {
                Search($"audit entry {entry.Sequence}", JsonSerializer.Serialize(entry), secrets, leaks);
            }

            foreach (var operation in await db.Operations.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken))
            {
                Search($"operation {operation.Id}", JsonSerializer.Serialize(operation), secrets, leaks);
            }
        }

        // Nothing is stored in clear: the store's files (database, write-ahead log) hold none of the values.
        foreach (var file in Directory.EnumerateFiles(_host.DataDirectory, "ward.db*"))
        {
            Search($"the store file {Path.GetFileName(file)}", await StoreFiles.ReadAsync(file), secrets, leaks);
        }

        Assert.True(_host.Logs.Lines.Count > 50, "the log capture saw almost nothing");
        Assert.True(leaks.Count == 0, $"secret values leaked:\n{string.Join("\n", leaks.Distinct())}");
    }

    /// <summary>The answers that exist to show a value once: a new token, a new TOTP secret.</summary>
    private static bool IsShownOnce(string transcriptEntry, string name) => name switch
    {
        "API token" => transcriptEntry.StartsWith("POST /api/v1/tokens -> 201", StringComparison.Ordinal),
        "owner's TOTP secret" or "admin's TOTP secret" => transcriptEntry.StartsWith("POST /api/v1/session/totp -> 200", StringComparison.Ordinal),
        _ => false,
    };

    private static void Search(string where, string text, Dictionary<string, string> secrets, List<string> leaks, Func<string, bool>? allowed = null)
    {
        foreach (var (name, value) in secrets)
        {
            if (allowed?.Invoke(name) == true)
            {
                continue;
            }

            foreach (var (form, encoded) in Forms(value))
            {
                var at = text.IndexOf(encoded, StringComparison.Ordinal);
                if (at >= 0)
                {
                    var start = Math.Max(0, at - 80);
                    leaks.Add($"{where} holds the {name} ({form}): …{text[start..Math.Min(text.Length, at + encoded.Length + 40)].ReplaceLineEndings(" ")}…");
                }
            }
        }
    }

    private static IEnumerable<(string Form, string Text)> Forms(string value)
    {
        yield return ("as is", value);
        yield return ("base64", Base64(value));
        yield return ("base64 without padding", Base64(value).TrimEnd('='));
        yield return ("base64url", Base64(value).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        yield return ("JSON-escaped base64", JsonSerializer.Serialize(Base64(value)).Trim('"'));
    }

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    /// <summary>A value no code would write by chance: a marker and 24 random letters and digits.</summary>
    private static string Random(string marker) =>
        $"{marker}{System.Security.Cryptography.RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 24)}";
}
