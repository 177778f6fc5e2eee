namespace Ward.Model.Placement.Simulation;

/// <summary>
/// A simulation of Swarm's scheduler over given nodes and services: where every task would land, which stay pending
/// and why (docs/reference/placement.md says which SwarmKit code each behaviour follows). Deterministic by default;
/// given a random source, it breaks ties at random where Swarm does, so that several runs show what is determined.
/// </summary>
public sealed class Scheduler
{
    private readonly ClusterState _state;
    private readonly GroupPlacer _placer;
    private readonly Random? _ties;

    /// <param name="nodes">The swarm's nodes, managers, drained and down ones included (they shape the preference tree).</param>
    /// <param name="services">The services to place, in the order they are deployed.</param>
    /// <param name="existing">
    /// Tasks already on the nodes: another stack's hold their reservation and ports; one of a service given here counts
    /// as one of its tasks (a scale-up then places only the difference).
    /// </param>
    /// <param name="ties">Null to break ties by node and label order; a random source to break them at random.</param>
    public Scheduler(IReadOnlyList<ClusterNode> nodes, IReadOnlyList<ServiceDemand> services, IReadOnlyList<ExistingTask>? existing = null, Random? ties = null)
    {
        _state = new ClusterState(nodes, services);
        _ties = ties;
        _placer = new GroupPlacer(_state, ties);
        foreach (var task in existing ?? [])
        {
            var node = _state.IndexOf(task.Node);
            var service = Array.FindIndex(_state.Services, s => s.Name == task.Service);
            if (node < 0)
            {
                continue;
            }

            if (service >= 0)
            {
                _state.Assign(node, service);
            }
            else
            {
                _state.HoldExisting(node, task);
            }
        }
    }

    /// <summary>Tasks of all services that no node has taken.</summary>
    public int PendingTasks => _state.Pending.Sum() + _state.PendingGlobal.Sum(p => p.Count);

    /// <summary>
    /// Deploys every service: global services' tasks first (the scheduler checks preassigned tasks before it places
    /// the others), then each replicated service as one group, then pending tasks again until nothing more lands.
    /// With a random source the services come in a random order, as they do when several arrive in one scheduling round.
    /// </summary>
    public void PlaceAll()
    {
        var services = Enumerable.Range(0, _state.Services.Length).ToArray();
        if (_ties is null)
        {
            services = [.. services.OrderBy(s => _state.Services[s].IsGlobal ? 0 : 1)];
        }
        else
        {
            _ties.Shuffle(services);
        }

        foreach (var service in services)
        {
            if (_state.Services[service].IsGlobal)
            {
                for (var node = 0; node < _state.NodeCount; node++)
                {
                    GiveGlobalTask(service, node);
                }
            }
            else
            {
                _state.AddPending(service, Math.Max(0, _state.Services[service].Replicas - _state.Counts[service].Values.Sum()));
                PlaceGroup(service);
            }
        }

        RetryPending();
    }

    /// <summary>
    /// The node is lost (down or drained): its tasks go, replicated services get replacements (with their pending
    /// tasks, one group per service), and global services lose theirs. The node stays in the swarm's list, so it still
    /// shapes the preference tree and counts in the reasons, as a down node does.
    /// </summary>
    public void Lose(string node)
    {
        var index = RequireNode(node);
        _state.TakeDown(index);
        for (var service = 0; service < _state.Services.Length; service++)
        {
            var count = _state.Counts[service].GetValueOrDefault(index);
            for (var i = 0; i < count; i++)
            {
                _state.Unassign(index, service);
            }

            if (_state.Services[service].IsGlobal)
            {
                _state.RemovePendingGlobal(service, index);
            }
            else
            {
                _state.AddPending(service, count);
            }
        }

        RetryPending();
    }

    /// <summary>A node joins: global services get a task on it, pending tasks try again.</summary>
    public void Add(ClusterNode node)
    {
        if (_state.IndexOf(node.Name) >= 0)
        {
            throw new ArgumentException($"the cluster already has a node named {node.Name}", nameof(node));
        }

        _state.AddNode(node);
        var index = _state.NodeCount - 1;
        for (var service = 0; service < _state.Services.Length; service++)
        {
            if (_state.Services[service].IsGlobal)
            {
                GiveGlobalTask(service, index);
            }
        }

        RetryPending();
    }

    /// <summary>A service's demand changes in place (what-ifs: a relaxed constraint or limit); its pending tasks try again.</summary>
    public void Change(string service, ServiceDemand demand)
    {
        var index = Array.FindIndex(_state.Services, s => s.Name == service);
        if (index < 0)
        {
            throw new ArgumentException($"no service named {service}", nameof(service));
        }

        _state.Replace(index, demand);
        RetryPending();
    }

    /// <summary>Marks this state; <see cref="Rollback"/> comes back to it.</summary>
    public int Checkpoint() => _state.Checkpoint();

    public void Rollback(int checkpoint) => _state.Rollback(checkpoint);

    /// <summary>Pending tasks of one service.</summary>
    public int PendingOf(string service)
    {
        var index = Array.FindIndex(_state.Services, s => s.Name == service);
        return index < 0 ? 0 : PendingOf(index);
    }

    /// <summary>Pending tasks of the service at this place in the list the scheduler was given.</summary>
    public int PendingOf(int service) => _state.Pending[service] + _state.PendingGlobal[service].Count;

    /// <summary>Tasks of the service (at this place in the list) that have a node.</summary>
    public int PlacedOf(int service)
    {
        var placed = 0;
        foreach (var count in _state.Counts[service].Values)
        {
            placed += count;
        }

        return placed;
    }

    /// <summary>The nodes whose facts the service's constraints and platforms allow, whatever their state or room.</summary>
    public IReadOnlyList<string> NodesAllowing(string service)
    {
        var index = Array.FindIndex(_state.Services, s => s.Name == service);
        return [.. Enumerable.Range(0, _state.NodeCount).Where(n => index >= 0 && _state.Allows(n, index)).Select(n => _state.Nodes[n].Name)];
    }

    /// <summary>Where one service's tasks are now (the service at this place in the list), with Swarm's reason for those pending.</summary>
    public ServicePlacement ResultOf(int service)
    {
        // Loops, not LINQ: a large environment asks this of thousands of services.
        var counts = _state.Counts[service];
        var nodes = new int[counts.Count];
        counts.Keys.CopyTo(nodes, 0);
        Array.Sort(nodes);
        var byNode = new NodeTasks[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            byNode[i] = new NodeTasks(_state.Nodes[nodes[i]].Name, counts[nodes[i]]);
        }

        var waiting = _state.PendingGlobal[service];
        var pendingNodes = waiting.Count == 0 ? [] : waiting.Select(n => _state.Nodes[n].Name).ToArray();
        var pending = _state.Pending[service] + pendingNodes.Length;
        return new ServicePlacement(_state.Services[service], byNode, pending, pending == 0 ? null : Reason(service), pendingNodes);
    }

    /// <summary>Where everything is now, with Swarm's reason for each service's pending tasks.</summary>
    public PlacementResult Result()
    {
        var services = _state.Services;
        var tasksOf = new List<ServiceTasks>[_state.NodeCount];
        for (var s = 0; s < services.Length; s++)
        {
            foreach (var (n, count) in _state.Counts[s])
            {
                (tasksOf[n] ??= []).Add(new ServiceTasks(services[s].Name, count));
            }
        }

        var nodes = new List<NodePlacement>(_state.NodeCount);
        for (var n = 0; n < _state.NodeCount; n++)
        {
            var node = _state.Nodes[n];
            var tasks = tasksOf[n] ?? [];
            // The node as it is now: a lost one is down.
            if (node.Status != _state.Status(n) || node.Availability != _state.Availability(n))
            {
                node = node with { Status = _state.Status(n), Availability = _state.Availability(n) };
            }

            nodes.Add(new NodePlacement(node, _state.TakesTasks(n), node.NanoCpus - _state.FreeCpu(n), node.MemoryBytes - _state.FreeMemory(n), tasks, _state.ExistingCount(n)));
        }

        var placements = new List<ServicePlacement>(services.Length);
        for (var s = 0; s < services.Length; s++)
        {
            placements.Add(ResultOf(s));
        }

        return new PlacementResult(nodes, placements);
    }

    /// <summary>
    /// Why the service's tasks are pending, as Swarm says once it has tried them again with nothing changed: for a
    /// replicated service every node counts under the first filter it fails ("no suitable node (...)"); a global
    /// service's task is checked on its own node only.
    /// </summary>
    private string Reason(int service)
    {
        if (_state.Services[service].IsGlobal)
        {
            return string.Join("; ", _state.PendingGlobal[service]
                .Select(n => $"{_state.Nodes[n].Name}: {(_state.FirstFailure(n, service) is { } failed ? PendingReasons.Explain(failed, 1) : "not yet placed")}"));
        }

        var failures = new int[Enum.GetValues<Filter>().Length];
        for (var n = 0; n < _state.NodeCount; n++)
        {
            if (_state.FirstFailure(n, service) is { } failed)
            {
                failures[(int)failed]++;
            }
        }

        return PendingReasons.NoSuitableNode(failures);
    }

    /// <summary>The global orchestrator's task for a node, checked by the scheduler on that node only (taskFitNode).</summary>
    private void GiveGlobalTask(int service, int node)
    {
        if (!_state.GetsGlobalTask(node, service) || _state.CountOn(service, node) > 0)
        {
            return;
        }

        if (_state.Passes(node, service))
        {
            _state.Assign(node, service);
        }
        else
        {
            _state.AddPendingGlobal(service, node);
        }
    }

    private void PlaceGroup(int service)
    {
        var placed = _placer.Place(service, _state.Pending[service]);
        _state.AddPending(service, -placed);
    }

    /// <summary>Scheduling rounds until one places nothing: every service's pending tasks as one group, in service order.</summary>
    private void RetryPending()
    {
        var order = _ties is null ? null : new int[_state.Services.Length];
        bool progress;
        do
        {
            progress = false;
            if (order is not null)
            {
                for (var i = 0; i < order.Length; i++)
                {
                    order[i] = i;
                }

                _ties!.Shuffle(order);
            }

            // A loop without closures: it runs over every service after every change, thousands in a large plan.
            for (var i = 0; i < _state.Services.Length; i++)
            {
                var service = order is null ? i : order[i];
                if (_state.Services[service].IsGlobal)
                {
                    progress |= RetryGlobal(service);
                }
                else if (_state.Pending[service] > 0)
                {
                    var before = _state.Pending[service];
                    PlaceGroup(service);
                    progress |= _state.Pending[service] < before;
                }
            }
        }
        while (progress);
    }

    /// <summary>A global service's waiting tasks, each checked again on its node.</summary>
    private bool RetryGlobal(int service)
    {
        var progress = false;
        foreach (var node in _state.PendingGlobal[service].Where(n => _state.Passes(n, service)).ToList())
        {
            _state.RemovePendingGlobal(service, node);
            _state.Assign(node, service);
            progress = true;
        }

        return progress;
    }

    private int RequireNode(string node)
    {
        var index = _state.IndexOf(node);
        return index >= 0 ? index : throw new ArgumentException($"no node named {node}", nameof(node));
    }
}
