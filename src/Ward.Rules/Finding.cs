using Ward.Model.Diagnostics;

namespace Ward.Rules;

/// <summary>One thing that will hurt in production: which rule, about what, where, and how to fix it.</summary>
public sealed record Finding
{
    public required string Rule { get; init; }

    public required Severity Severity { get; init; }

    /// <summary>The path the finding names, e.g. <c>services.web.deploy.replicas</c>; waivers target it.</summary>
    public required string Path { get; init; }

    /// <summary>The sentence for the user: the object, the value, and what is expected.</summary>
    public required string Message { get; init; }

    /// <summary>The object the finding is about, e.g. "service web" or "node manager-1".</summary>
    public string? Subject { get; init; }

    /// <summary>The offending value as written, when there is one.</summary>
    public string? Value { get; init; }

    public SourceLocation? Location { get; init; }

    public bool Waived { get; init; }

    public string? WaiverReason { get; init; }
}

/// <summary>A rule that could not be decided with what Ward had (a live cluster, DNS).</summary>
public sealed record NotChecked(string Rule, string Reason);
