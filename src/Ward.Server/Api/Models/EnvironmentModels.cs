// Fields whose name says it all have no <param> of their own (their description in the OpenAPI document is the name).
#pragma warning disable CS1573

namespace Ward.Server.Api.Models;

/// <param name="Verdict">converged, degraded, failed, not-deployed or unknown (not read from the swarm yet).</param>
public sealed record EnvironmentSummary(string Name, string Kind, string FileName, long Version, DateTimeOffset UpdatedAt, string Verdict);

/// <summary>An environment as stored (after a register or an update).</summary>
/// <param name="Version">Send it back with a change: a stale one is refused.</param>
/// <param name="Lines">How many lines its file has.</param>
public sealed record EnvironmentStored(string Name, string Kind, string FileName, long Version, int Lines);

public sealed record EnvironmentDetail(string Name, string Kind, string FileName, string Content, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? UpdatedBy);

/// <param name="Events">Where to follow its progress (server-sent events).</param>
public sealed record OperationStarted(Guid Id, string Environment, string State, string Events);

public sealed record OperationSummary(Guid Id, string Kind, string State, string StartedBy, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Summary);

/// <param name="Events">Every progress event so far, in order.</param>
public sealed record OperationDetail(Guid Id, string Environment, string Kind, string State, string StartedBy, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Summary, IReadOnlyList<OperationEventDocument> Events);

/// <param name="Type">What happened (plan, step, converging, finished, ...).</param>
/// <param name="Data">The event's details, by type.</param>
public sealed record OperationEventDocument(long Sequence, DateTimeOffset At, string Type, System.Text.Json.JsonElement Data);

/// <param name="Source">ward (set through the API), file, external, or "not in the file".</param>
/// <param name="Set">Whether Ward holds a value (never shown).</param>
public sealed record SecretInfo(string Key, bool Declared, string Source, bool Set, DateTimeOffset? UpdatedAt, string? UpdatedBy, long? Version);

public sealed record SecretStored(string Key, long Version, DateTimeOffset? UpdatedAt, string Next);
