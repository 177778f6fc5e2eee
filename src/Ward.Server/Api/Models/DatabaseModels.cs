// Fields whose name says it all have no <param> of their own (their description in the OpenAPI document is the name).
#pragma warning disable CS1573

namespace Ward.Server.Api.Models;

/// <summary>A database the environment's file declares (x-ward.databases), with its service as the status watch last saw it.</summary>
/// <param name="Engine">postgres, ...</param>
/// <param name="Tier">The tier that sizes it (basic-1, general-purpose-2, ...).</param>
/// <param name="Hosted">Whether Ward runs it on the swarm (false: an external database Ward only connects to).</param>
/// <param name="Backups">Whether the file declares backups for it (a repository on another node).</param>
/// <param name="Service">The swarm service that runs it, when Ward hosts it.</param>
/// <param name="Running">Its running tasks, as last seen; null when the service was not seen (not applied yet, or the swarm not read).</param>
/// <param name="Desired">The tasks it should run, as last seen.</param>
/// <param name="State">Its state, as last seen (running, starting, failed, ...).</param>
/// <param name="Nodes">Where its running tasks are.</param>
public sealed record DatabaseSummary(
    string Name,
    string Engine,
    string? Version,
    string Tier,
    bool Hosted,
    bool Backups,
    string? Service,
    int? Running,
    int? Desired,
    string? State,
    IReadOnlyList<string> Nodes);
