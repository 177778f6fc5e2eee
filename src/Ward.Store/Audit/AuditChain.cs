using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Ward.Store.Entities;

namespace Ward.Store.Audit;

/// <summary>What a change to record in the audit log says: who, from where, what, on which object, before and after.</summary>
public sealed record AuditEvent(string Actor, string? Source, string Action, string Target, object? Before = null, object? After = null);

/// <summary>The outcome of verifying the chain.</summary>
public sealed record AuditVerification(bool Intact, long Entries, string HeadHash, IReadOnlyList<string> Problems);

/// <summary>
/// The append-only, hash-chained audit log. Each entry's hash covers its content and the previous entry's hash, so
/// editing, removing or reordering any entry breaks every hash after it. Appends take the next sequence number
/// (the primary key), so two writers — even two Ward replicas — cannot interleave: the loser retries.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static async Task<AuditEntry> AppendAsync(StoreOptions store, AuditEvent change, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var context = store.CreateContext();
            var last = await context.Audit.OrderByDescending(a => a.Sequence).Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(cancellationToken);
            var entry = new AuditEntry
            {
                Sequence = (last?.Sequence ?? 0) + 1,
                // Millisecond precision survives both databases unchanged, so the hash still matches when read back.
                At = TruncateToMilliseconds(time.GetUtcNow()),
                Actor = change.Actor,
                Source = change.Source,
                Action = change.Action,
                Target = change.Target,
                Before = change.Before is null ? null : JsonSerializer.Serialize(change.Before, Compact),
                After = change.After is null ? null : JsonSerializer.Serialize(change.After, Compact),
                PreviousHash = last?.Hash ?? Genesis,
                Hash = "",
            };
            entry.Hash = HashOf(entry);
            context.Audit.Add(entry);
            try
            {
                await context.SaveChangesAsync(cancellationToken);
                return entry;
            }
            catch (DbUpdateException) when (attempt < 20)
            {
                // Another writer took this sequence number: read the new head and try again.
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt), time, cancellationToken);
            }
        }
    }

    /// <summary>Recomputes the chain from the first entry and reports every break.</summary>
    public static async Task<AuditVerification> VerifyAsync(StoreOptions store, CancellationToken cancellationToken)
    {
        await using var context = store.CreateContext();
        var problems = new List<string>();
        var previous = Genesis;
        long expected = 1;
        long count = 0;
        await foreach (var entry in context.Audit.AsNoTracking().OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            count++;
            if (entry.Sequence != expected)
            {
                problems.Add($"entry {expected}{(entry.Sequence > expected + 1 ? $" to {entry.Sequence - 1}" : "")} is missing (the log jumps to {entry.Sequence})");
            }

            if (entry.PreviousHash != previous)
            {
                problems.Add($"entry {entry.Sequence} does not follow the entry before it (removed, inserted or reordered entries)");
            }

            if (HashOf(entry) != entry.Hash)
            {
                problems.Add($"entry {entry.Sequence} ({entry.Action} {entry.Target} by {entry.Actor}) was changed after it was written");
            }

            previous = entry.Hash;
            expected = entry.Sequence + 1;
        }

        return new AuditVerification(problems.Count == 0, count, previous, problems);
    }

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary>SHA-256 over the previous hash and every field, in a fixed, unambiguous encoding.</summary>
    public static string HashOf(AuditEntry entry)
    {
        var text = new StringBuilder();
        foreach (var field in new[]
                 {
                     entry.PreviousHash,
                     entry.Sequence.ToString(CultureInfo.InvariantCulture),
                     entry.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                     entry.Actor, entry.Source ?? "", entry.Action, entry.Target, entry.Before ?? "", entry.After ?? "",
                 })
        {
            // Length-prefixed, so no two different entries can encode to the same text.
            text.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append(';');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
