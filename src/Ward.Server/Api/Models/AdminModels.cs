// Fields whose name says it all have no <param> of their own (their description in the OpenAPI document is the name).
#pragma warning disable CS1573

namespace Ward.Server.Api.Models;

/// <param name="Name">As the environments' files name it (its ward.node label, else its hostname).</param>
/// <param name="Version">The swarm object's version.</param>
public sealed record NodeInfo(string Id, string Name, string Hostname, string Role, string State, string Availability, string? Address, bool Leader, IReadOnlyDictionary<string, string> Labels, double Cpus, long MemoryBytes, long Version);

/// <summary>A node after a change, as the swarm committed it.</summary>
public sealed record NodeChanged(string Id, string? Role, string? Availability, System.Text.Json.JsonElement? Labels);

/// <param name="TwoFactor">Whether they have a second factor.</param>
/// <param name="Version">Send it back with a change to the user or their roles.</param>
public sealed record UserInfo(Guid Id, string UserName, string DisplayName, bool TwoFactor, bool Disabled, long Version, IReadOnlyList<GrantInfo> Grants);

/// <param name="Environment">Null: the role holds everywhere.</param>
public sealed record GrantInfo(Guid Id, string Role, string? Environment);

public sealed record UserStored(Guid Id, string UserName, long Version);

/// <param name="UserVersion">The user's new version.</param>
public sealed record GrantCreated(Guid Id, string Role, string? Environment, long UserVersion);

/// <param name="Prefix">The token's first characters, to tell tokens apart (never the value).</param>
public sealed record TokenInfo(Guid Id, string Name, string Prefix, string Role, string? Environment, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt);

/// <param name="Token">The token, shown this once: send it as Authorization: Bearer TOKEN.</param>
public sealed record TokenCreated(Guid Id, string Token, string Prefix, string Role, string? Environment, DateTimeOffset ExpiresAt, string Note);

/// <param name="Sequence">Its place in the hash chain.</param>
/// <param name="Actor">Who: a user name, or "user (token PREFIX…)".</param>
/// <param name="Source">From where (the client's address).</param>
/// <param name="Before">The object before, as JSON text.</param>
/// <param name="After">The object after, as JSON text.</param>
/// <param name="Hash">SHA-256 over the previous hash and this entry.</param>
public sealed record AuditEntryDocument(long Sequence, DateTimeOffset At, string Actor, string? Source, string Action, string Target, string? Before, string? After, string PreviousHash, string Hash);

/// <param name="Intact">Whether no entry was edited, removed or reordered.</param>
/// <param name="HeadHash">The last entry's hash, to keep elsewhere and compare later.</param>
public sealed record AuditVerificationDocument(bool Intact, long Entries, string HeadHash, IReadOnlyList<string> Problems);
