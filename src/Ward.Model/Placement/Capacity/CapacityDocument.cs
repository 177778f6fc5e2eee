namespace Ward.Model.Placement.Capacity;

/// <summary>
/// A capacity report as JSON gives it (<c>ward plan --capacity --format json</c> and
/// <c>GET /api/v1/environments/{name}/capacity</c> answer the same document). CPU is in CPUs, memory in bytes.
/// </summary>
public sealed record CapacityDocument(
    string Environment,
    string Source,
    CapacityDocument.WhatIfPart WhatIf,
    bool Fits,
    IReadOnlyList<CapacityDocument.NodePart> Nodes,
    IReadOnlyList<CapacityDocument.ServicePart> Services,
    IReadOnlyList<Shortfall> Pending,
    IReadOnlyList<Shortfall> NoLongerFits,
    CapacityDocument.SharePart ManagerShare,
    CapacityDocument.FixPart? Fix,
    IReadOnlyList<CapacityDocument.SizePart> Sizes)
{
    public static CapacityDocument Of(string environment, CapacityReport report)
    {
        var shown = report.Shown;
        var share = report.ManagerShare;
        return new CapacityDocument(
            environment,
            report.Cluster.Source,
            new WhatIfPart(report.WhatIf.Without, [.. report.WhatIf.AddWorkers.Select(w => new WorkersPart(w.Size.Name, w.Count))], report.WhatIf.Scale, report.WhatIf.Describe()),
            report.Fits,
            [.. shown.Nodes.Select(n => new NodePart(
                n.Node.Name,
                n.Node.IsManager ? "manager" : "worker",
                n.Node.Size,
                n.Node.Availability.ToString().ToLowerInvariant(),
                n.Node.Status.ToString().ToLowerInvariant(),
                n.TakesTasks,
                Cpus(n.Node.NanoCpus),
                n.Node.MemoryBytes,
                Cpus(n.ReservedNanoCpus),
                n.ReservedMemoryBytes,
                n.Tasks,
                n.OtherTasks))],
            [.. shown.Services.Select(s => new ServicePart(
                s.Name,
                s.Service.IsGlobal ? "global" : "replicated",
                s.Desired,
                s.Placed,
                s.Pending,
                report.Baseline.Service(s.Name)?.Pending ?? 0,
                s.Reason,
                s.ByNode))],
            report.Pending,
            report.NoLongerFits,
            new SharePart(share.Tasks, share.AllTasks, Cpus(share.NanoCpus), Cpus(share.AllNanoCpus), share.MemoryBytes, share.AllMemoryBytes),
            report.Fix is not { } fix ? null : new FixPart(
                fix.Advice,
                fix.HasRemedy ? fix.Describe() : null,
                fix.Workers is { } workers ? new WorkersPart(workers.Size.Name, workers.Count) : null,
                fix.Labels,
                fix.Changes,
                fix.Unfixable),
            [.. report.Cluster.Catalog.Sizes.Select(s => new SizePart(s.Name, s.Vcpu, s.MemoryBytes))]);
    }

    private static double Cpus(long nanoCpus) => nanoCpus / 1e9;

    public sealed record WhatIfPart(IReadOnlyList<string> Without, IReadOnlyList<WorkersPart> AddWorkers, IReadOnlyList<Scaling> Scale, string Description);

    public sealed record WorkersPart(string Size, int Count);

    public sealed record NodePart(
        string Name,
        string Role,
        string? Size,
        string Availability,
        string Status,
        bool TakesTasks,
        double Cpus,
        long MemoryBytes,
        double ReservedCpus,
        long ReservedMemoryBytes,
        IReadOnlyList<Simulation.ServiceTasks> Tasks,
        int OtherTasks);

    public sealed record ServicePart(string Name, string Mode, int Desired, int Placed, int Pending, int PendingBefore, string? Reason, IReadOnlyList<Simulation.NodeTasks> Nodes);

    public sealed record SharePart(int Tasks, int AllTasks, double Cpus, double AllCpus, long MemoryBytes, long AllMemoryBytes);

    /// <summary>A catalog size the what-ifs may add (the console's choices).</summary>
    public sealed record SizePart(string Name, double Cpus, long MemoryBytes);

    /// <summary>The fix: <see cref="Change"/> is the change alone ("add 1 small worker"), null when nothing found helps.</summary>
    public sealed record FixPart(string Advice, string? Change, WorkersPart? Workers, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<ServiceChange> Changes, IReadOnlyList<ServiceChange> Unfixable);
}
