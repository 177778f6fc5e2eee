using System.Text.Json.Serialization;

// Fields whose name says it all have no <param> of their own (their description in the OpenAPI document is the name).
#pragma warning disable CS1573

namespace Ward.Server.Api.Models;

/// <summary>An environment's status, from state kept current by watching the swarm.</summary>
/// <param name="Verdict">converged, degraded, failed, not-deployed, or unknown when the swarm could not be read.</param>
/// <param name="Error">Why the swarm could not be read (the other parts are then absent).</param>
public sealed record EnvironmentStatusDocument(
    string Environment,
    string Verdict,
    DateTimeOffset ReadAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StatusNode>? Nodes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StatusService>? Services = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Reasons = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

/// <param name="Size">The node's ward.size label.</param>
public sealed record StatusNode(string Name, string Id, string Role, string State, string Availability, string? Address, string? Size, IReadOnlyDictionary<string, string> Labels, double Cpus, long MemoryBytes);

/// <param name="Advice">What to look at when the service fails.</param>
/// <param name="Nodes">Where its running tasks are.</param>
public sealed record StatusService(string Name, int Running, int Desired, string State, string? LastError, string? Advice, IReadOnlyList<string> Nodes, string? Image);

/// <summary>Readiness findings, as <c>ward check --format json</c> writes them.</summary>
/// <param name="Profile">production or staging: the rules' strictness.</param>
/// <param name="NotChecked">Rules that could not run, and why.</param>
public sealed record FindingsReport(string File, string Environment, string Profile, IReadOnlyList<FindingDocument> Findings, IReadOnlyList<NotCheckedRule> NotChecked, FindingsSummary Summary);

/// <param name="Severity">error, warning or info.</param>
/// <param name="Path">Where in the file, as a path (services.web.image).</param>
/// <param name="Line">Null when the finding has no place in the file.</param>
public sealed record FindingDocument(
    string Rule,
    string Severity,
    string Path,
    string Message,
    string? Subject,
    string? Value,
    string? Title,
    string? Why,
    string? Fix,
    string File,
    int? Line,
    int? Column,
    bool Waived,
    string? WaiverReason);

public sealed record NotCheckedRule(string Rule, string Reason);

public sealed record FindingsSummary(int Errors, int Warnings, int Info, int Waived);

/// <summary>A domain of an environment: its DNS as Ward has seen it, and how the load balancer serves it.</summary>
/// <param name="Records">Its A records at the last look; null before the first.</param>
/// <param name="MappedSince">Since when Ward has seen it point at the manager.</param>
/// <param name="MappedAtDeclared">What the file declares (x-ward.domains[].mapped_at).</param>
/// <param name="Served">https or http, as the load balancer serves it; null when it does not.</param>
/// <param name="Authority">acme or internal.</param>
/// <param name="Problem">What needs attention (a certificate close to expiry, say).</param>
public sealed record DomainView(
    string Name,
    string Service,
    int? Port,
    string? Path,
    IReadOnlyList<string> Redirects,
    IReadOnlyList<string>? Records,
    bool? PointsAtManager,
    DateTimeOffset? LastChecked,
    DateTimeOffset? MappedSince,
    DateTimeOffset? MappedAtDeclared,
    IReadOnlyList<DomainRecordHistory> History,
    string? Served,
    string? Authority,
    DomainCertificate? Certificate,
    string? LastError,
    string? Problem,
    string? BalancerUnknown);

/// <param name="Records">The A records, comma-separated.</param>
public sealed record DomainRecordHistory(string Records, bool PointsAtManager, DateTimeOffset Since, DateTimeOffset LastSeen);

public sealed record DomainCertificate(string Issuer, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>An environment's alerts pending or firing, and the latest deliveries of their notices.</summary>
public sealed record AlertList(IReadOnlyList<AlertView> Alerts, IReadOnlyList<AlertDeliveryView> Deliveries);

/// <param name="State">pending (its condition holds, not yet for its duration) or firing.</param>
public sealed record AlertView(
    string Rule,
    string? Title,
    string Subject,
    string? Detail,
    string State,
    DateTimeOffset Since,
    DateTimeOffset? FiringSince,
    DateTimeOffset? SilencedUntil,
    string? AcknowledgedBy);

/// <param name="Channel">mail or webhook.</param>
public sealed record AlertDeliveryView(string Channel, string Target, string Subject, bool Delivered, int Attempts, string? Error);

public sealed record AlertSilence(DateTimeOffset Until);
