using System.Text.Json.Serialization;

// Fields whose name says it all have no <param> of their own (their description in the OpenAPI document is the name).
#pragma warning disable CS1573

namespace Ward.Server.Api.Models;

/// <summary>
/// Every error the API answers (application/problem+json): RFC 9457's fields, and <c>code</c>, the stable word clients
/// match on (ProblemCodes; never the detail's text). Some codes add the fields below, and only those.
/// </summary>
/// <param name="Type">A URI naming the kind of problem.</param>
/// <param name="Title">The status in words.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Detail">What went wrong and what to do, in words for people.</param>
/// <param name="Code">The stable code (docs/api.md lists them).</param>
/// <param name="TraceId">The request's identifier in the server's log.</param>
/// <param name="Problems">Each problem with a field of the request (the first one's code is the answer's).</param>
/// <param name="Diagnostics">invalid_environment_file: every problem of the file, located.</param>
/// <param name="Findings">readiness_gate: the findings that block the apply.</param>
/// <param name="Forceable">readiness_gate: whether an apply with force would be let through.</param>
/// <param name="Errors">invalid_what_if: each wrong what-if parameter.</param>
/// <param name="RetryAfterSeconds">sign_in_backoff: how long to wait.</param>
public sealed record ApiProblem(
    string? Type,
    string Title,
    int Status,
    string Detail,
    string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TraceId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FieldProblem>? Problems = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FileDiagnostic>? Diagnostics = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<GateFinding>? Findings = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Forceable = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WhatIfProblem>? Errors = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RetryAfterSeconds = null);

/// <summary>A problem of an environment file that stops it being read.</summary>
public sealed record FileDiagnostic(string Code, string Path, string Message, int? Line, int? Column);

/// <summary>A finding that the readiness gate refuses an apply for.</summary>
public sealed record GateFinding(string Rule, string Path, string Message);

/// <summary>A what-if parameter of a capacity question that cannot be answered.</summary>
public sealed record WhatIfProblem(string Parameter, string Value, string Message);
