using Ward.Model.Spec;

namespace Ward.Model.Placement.Simulation;

/// <summary>
/// What the scheduler knows while it places tasks (SwarmKit's NodeInfo and nodeSet): per node its unreserved CPU and
/// memory, its active task count, its host-mode ports; per service its tasks on each node and its pending tasks.
/// Arrays indexed by node, so that a pass over thousands of nodes stays cheap. Every change can be undone back to a
/// checkpoint, so that what-ifs (lose a node, add one, relax a constraint) start from one placement.
/// </summary>
internal sealed class ClusterState
{
    private readonly List<ClusterNode> _nodes = [];
    private readonly List<Change> _undo = [];
    private readonly Dictionary<string, SpreadTree> _trees = new(StringComparer.Ordinal);
    private long[] _freeCpu = [];
    private long[] _freeMemory = [];
    private int[] _active = [];
    private bool[] _takesTasks = [];
    private NodeStatus[] _status = [];
    private NodeAvailability[] _availability = [];
    private HashSet<HostPort>?[] _ports = [];
    private List<ExistingTask>?[] _existing = [];
    private int[] _scratch = [];
    private int _scratchService = -1;
    private int _checkpoints;

    // Per service: the nodes its constraints and platforms allow, and its preference tree (null until asked).
    private readonly bool[]?[] _eligible;
    private readonly SpreadTree?[] _treeOfService;

    public ClusterState(IReadOnlyList<ClusterNode> nodes, IReadOnlyList<ServiceDemand> services)
    {
        Services = [.. services];
        Counts = new Dictionary<int, int>[Services.Length];
        Pending = new int[Services.Length];
        PendingGlobal = new List<int>[Services.Length];
        _eligible = new bool[]?[Services.Length];
        _treeOfService = new SpreadTree?[Services.Length];
        for (var s = 0; s < Services.Length; s++)
        {
            Counts[s] = [];
            PendingGlobal[s] = [];
        }

        foreach (var node in nodes)
        {
            AppendNode(node);
        }
    }

    public int NodeCount => _nodes.Count;

    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    public ServiceDemand[] Services { get; }

    /// <summary>Per service: its tasks on each node (node → count), only nodes that have some.</summary>
    public Dictionary<int, int>[] Counts { get; }

    /// <summary>Per replicated service: tasks no node has taken yet.</summary>
    public int[] Pending { get; }

    /// <summary>Per global service: the nodes whose task is pending.</summary>
    public List<int>[] PendingGlobal { get; }


    public long FreeCpu(int node) => _freeCpu[node];

    public long FreeMemory(int node) => _freeMemory[node];

    public int Active(int node) => _active[node];

    public bool TakesTasks(int node) => _takesTasks[node];

    public NodeStatus Status(int node) => _status[node];

    public NodeAvailability Availability(int node) => _availability[node];

    public int ExistingCount(int node) => _existing[node]?.Count ?? 0;

    public int IndexOf(string node) => _nodes.FindIndex(n => n.Name == node);

    /// <summary>The service's tasks on a node; inside a group of that service, read from a dense copy.</summary>
    public int CountOn(int service, int node) =>
        service == _scratchService ? _scratch[node] : Counts[service].GetValueOrDefault(node);

    /// <summary>The decision tree of a service's preferences (shared by services with the same ones).</summary>
    public SpreadTree TreeOf(int service)
    {
        if (_treeOfService[service] is { } known)
        {
            return known;
        }

        var key = SpreadTree.KeyOf(Services[service].Spread);
        if (!_trees.TryGetValue(key, out var tree))
        {
            tree = SpreadTree.Build(Services[service].Spread, _nodes);
            _trees[key] = tree;
        }

        _treeOfService[service] = tree;
        return tree;
    }

    /// <summary>Whether the node passes every filter for a task of the service (SwarmKit's Pipeline.Process).</summary>
    public bool Passes(int node, int service) => FirstFailure(node, service) is null;

    /// <summary>The first filter of the pipeline the node fails for a task of the service, or null.</summary>
    public Filter? FirstFailure(int node, int service)
    {
        var demand = Services[service];
        if (!_takesTasks[node])
        {
            return Filter.Ready;
        }

        // SwarmKit enables the resource filter only for a task that reserves something.
        if ((demand.NanoCpus != 0 || demand.MemoryBytes != 0) && (demand.NanoCpus > _freeCpu[node] || demand.MemoryBytes > _freeMemory[node]))
        {
            return Filter.Resources;
        }

        var eligible = EligibleNodes(service);
        if (!eligible[node])
        {
            return NodeFacts.SatisfiesAll(demand.Constraints, _nodes[node]) ? Filter.Platform : Filter.Constraints;
        }

        if (demand.HostPorts.Count > 0 && _ports[node] is { } used)
        {
            foreach (var port in demand.HostPorts)
            {
                if (used.Contains(port))
                {
                    return Filter.HostPort;
                }
            }
        }

        return demand.MaxReplicasPerNode > 0 && CountOn(service, node) >= demand.MaxReplicasPerNode ? Filter.MaxReplicas : null;
    }

    /// <summary>Whether the service's constraints and platforms allow the node (its state and room aside).</summary>
    public bool Allows(int node, int service) => EligibleNodes(service)[node];

    /// <summary>Whether the global orchestrator gives the node a task of the service: not drained or paused, not down, constraints met.</summary>
    public bool GetsGlobalTask(int node, int service) =>
        _availability[node] == NodeAvailability.Active && _status[node] != NodeStatus.Down && NodeFacts.SatisfiesAll(Services[service].Constraints, _nodes[node]);

    private bool[] EligibleNodes(int service)
    {
        if (_eligible[service] is { } known)
        {
            return known;
        }

        var demand = Services[service];
        var eligible = new bool[_nodes.Count];
        for (var n = 0; n < eligible.Length; n++)
        {
            eligible[n] = NodeFacts.SatisfiesAll(demand.Constraints, _nodes[n]) && NodeFacts.RunsPlatform(demand.Platforms, _nodes[n]);
        }

        _eligible[service] = eligible;
        return eligible;
    }

    /// <summary>Keeps a dense copy of one service's counts while a group of it is placed (read on every node of every pass).</summary>
    public void BeginGroup(int service)
    {
        _scratchService = service;
        foreach (var (node, count) in Counts[service])
        {
            _scratch[node] = count;
        }
    }

    public void EndGroup()
    {
        foreach (var node in Counts[_scratchService].Keys)
        {
            _scratch[node] = 0;
        }

        _scratchService = -1;
    }

    /// <summary>A task of the service lands on the node (NodeInfo.addTask).</summary>
    public void Assign(int node, int service)
    {
        var demand = Services[service];
        _freeCpu[node] -= demand.NanoCpus;
        _freeMemory[node] -= demand.MemoryBytes;
        _active[node]++;
        var counts = Counts[service];
        counts[node] = counts.GetValueOrDefault(node) + 1;
        if (service == _scratchService)
        {
            _scratch[node]++;
        }

        foreach (var port in demand.HostPorts)
        {
            (_ports[node] ??= []).Add(port);
        }

        Record(new Change(ChangeKind.Assigned, node, service));
    }

    /// <summary>A task of the service leaves the node (NodeInfo.removeTask).</summary>
    public void Unassign(int node, int service)
    {
        var demand = Services[service];
        _freeCpu[node] += demand.NanoCpus;
        _freeMemory[node] += demand.MemoryBytes;
        _active[node]--;
        var counts = Counts[service];
        var left = counts[node] - 1;
        if (left == 0)
        {
            counts.Remove(node);
        }
        else
        {
            counts[node] = left;
        }

        if (service == _scratchService)
        {
            _scratch[node]--;
        }

        foreach (var port in demand.HostPorts)
        {
            _ports[node]?.Remove(port);
        }

        Record(new Change(ChangeKind.Unassigned, node, service));
    }

    public void AddPending(int service, int tasks)
    {
        if (tasks != 0)
        {
            Pending[service] += tasks;
            Record(new Change(ChangeKind.Pending, -1, service, tasks));
        }
    }

    public void AddPendingGlobal(int service, int node)
    {
        PendingGlobal[service].Add(node);
        Record(new Change(ChangeKind.PendingGlobalAdded, node, service));
    }

    public void RemovePendingGlobal(int service, int node)
    {
        var at = PendingGlobal[service].IndexOf(node);
        if (at >= 0)
        {
            PendingGlobal[service].RemoveAt(at);
            Record(new Change(ChangeKind.PendingGlobalRemoved, node, service, at));
        }
    }

    /// <summary>The node goes down (or is drained): it takes no task, and the tasks other stacks had there go with it.</summary>
    public void TakeDown(int node)
    {
        Record(new Change(ChangeKind.NodeState, node, -1, (int)_status[node] * 8 + (int)_availability[node], _existing[node]));
        _status[node] = NodeStatus.Down;
        _takesTasks[node] = false;
        foreach (var task in _existing[node] ?? [])
        {
            ReleaseExisting(node, task);
        }

        _existing[node] = null;
    }

    /// <summary>A node joins (a what-if's new worker).</summary>
    public void AddNode(ClusterNode node)
    {
        AppendNode(node);
        Record(new Change(ChangeKind.NodeAdded, _nodes.Count - 1, -1));
    }

    /// <summary>A service's demand changes (a what-if relaxes a constraint or a limit).</summary>
    public void Replace(int service, ServiceDemand demand)
    {
        Record(new Change(ChangeKind.DemandReplaced, -1, service, 0, Services[service]));
        Services[service] = demand;
        _eligible[service] = null;
        _treeOfService[service] = null;
    }

    /// <summary>Marks the state to come back to; changes are recorded from now on.</summary>
    public int Checkpoint()
    {
        _checkpoints++;
        return _undo.Count;
    }

    /// <summary>Undoes every change since the checkpoint, newest first.</summary>
    public void Rollback(int checkpoint)
    {
        var recording = _checkpoints;
        _checkpoints = 0;
        for (var i = _undo.Count - 1; i >= checkpoint; i--)
        {
            Undo(_undo[i]);
        }

        _undo.RemoveRange(checkpoint, _undo.Count - checkpoint);
        _checkpoints = recording - 1;
    }

    private void Undo(Change change)
    {
        switch (change.Kind)
        {
            case ChangeKind.Assigned:
                Unassign(change.Node, change.Service);
                break;
            case ChangeKind.Unassigned:
                Assign(change.Node, change.Service);
                break;
            case ChangeKind.Pending:
                Pending[change.Service] -= change.Amount;
                break;
            case ChangeKind.PendingGlobalAdded:
                PendingGlobal[change.Service].RemoveAt(PendingGlobal[change.Service].LastIndexOf(change.Node));
                break;
            case ChangeKind.PendingGlobalRemoved:
                PendingGlobal[change.Service].Insert(change.Amount, change.Node);
                break;
            case ChangeKind.NodeState:
                _status[change.Node] = (NodeStatus)(change.Amount / 8);
                _availability[change.Node] = (NodeAvailability)(change.Amount % 8);
                _takesTasks[change.Node] = TakesTasks(_status[change.Node], _availability[change.Node]);
                foreach (var task in (List<ExistingTask>?)change.Before ?? [])
                {
                    HoldExisting(change.Node, task);
                }

                break;
            case ChangeKind.NodeAdded:
                RemoveLastNode();
                break;
            case ChangeKind.DemandReplaced:
                Services[change.Service] = (ServiceDemand)change.Before!;
                _eligible[change.Service] = null;
                _treeOfService[change.Service] = null;
                break;
        }
    }

    /// <summary>A task of another stack, already on its node: it holds its reservation and ports there.</summary>
    public void HoldExisting(int node, ExistingTask task)
    {
        _freeCpu[node] -= task.NanoCpus;
        _freeMemory[node] -= task.MemoryBytes;
        _active[node]++;
        foreach (var port in task.HostPorts)
        {
            (_ports[node] ??= []).Add(port);
        }

        (_existing[node] ??= []).Add(task);
    }

    private void ReleaseExisting(int node, ExistingTask task)
    {
        _freeCpu[node] += task.NanoCpus;
        _freeMemory[node] += task.MemoryBytes;
        _active[node]--;
        foreach (var port in task.HostPorts)
        {
            _ports[node]?.Remove(port);
        }
    }

    private void Record(Change change)
    {
        if (_checkpoints > 0)
        {
            _undo.Add(change);
        }
    }

    private static bool TakesTasks(NodeStatus status, NodeAvailability availability) => status == NodeStatus.Ready && availability == NodeAvailability.Active;

    private void AppendNode(ClusterNode node)
    {
        var n = _nodes.Count;
        _nodes.Add(node);
        if (n == _freeCpu.Length)
        {
            var size = Math.Max(8, n * 2);
            Array.Resize(ref _freeCpu, size);
            Array.Resize(ref _freeMemory, size);
            Array.Resize(ref _active, size);
            Array.Resize(ref _takesTasks, size);
            Array.Resize(ref _status, size);
            Array.Resize(ref _availability, size);
            Array.Resize(ref _ports, size);
            Array.Resize(ref _existing, size);
            Array.Resize(ref _scratch, size);
        }

        _freeCpu[n] = node.NanoCpus;
        _freeMemory[n] = node.MemoryBytes;
        _active[n] = 0;
        _status[n] = node.Status;
        _availability[n] = node.Availability;
        _takesTasks[n] = TakesTasks(node.Status, node.Availability);
        _ports[n] = null;
        _existing[n] = null;
        _scratch[n] = 0;
        NodesChanged();
    }

    private void RemoveLastNode()
    {
        _nodes.RemoveAt(_nodes.Count - 1);
        NodesChanged();
    }

    // The trees and eligible sets are worked out from the node list: a node added or taken back makes them stale.
    private void NodesChanged()
    {
        _trees.Clear();
        Array.Clear(_treeOfService);
        Array.Clear(_eligible);
    }

    private enum ChangeKind
    {
        Assigned,
        Unassigned,
        Pending,
        PendingGlobalAdded,
        PendingGlobalRemoved,
        NodeState,
        NodeAdded,
        DemandReplaced,
    }

    private readonly record struct Change(ChangeKind Kind, int Node, int Service, int Amount = 0, object? Before = null);
}
