namespace Ward.Model.Placement.Simulation;

/// <summary>
/// Places one group of a service's tasks (same service, same spec) as SwarmKit's scheduleTaskGroup does
/// (manager/scheduler/scheduler.go), step for step, including its quirks:
/// <list type="bullet">
/// <item>nodes are ranked by fewest tasks of the service, then fewest tasks in all (nodeLess); each leaf of the
/// preference tree keeps only the group-size best nodes that pass the filters (nodeset.go tree());</item>
/// <item>tasks are split over the branches of the tree so that each ends with the same number of the service's tasks;
/// a branch's count is taken when the tree is built and not updated while the group is placed; a branch asked for more
/// than it takes is out of room, and so is a branch asked for more tasks than the group has left
/// (scheduleNTasksOnSubtree);</item>
/// <item>in a leaf, the first pass fills nodes in rank order until the next one is no worse, then tasks go round the
/// nodes one at a time, skipping those that fail a filter (scheduleNTasksOnNodes).</item>
/// </list>
/// Where Go's map order breaks a tie at random (equal nodes, the order of branches), this placer takes node order and
/// label order, or, given a random source, a random one.
/// </summary>
internal sealed class GroupPlacer(ClusterState state, Random? ties)
{
    private int _service;
    private int _remaining;
    private int _groupSize;
    private SpreadTree _tree = null!;
    private int[] _treeTasks = [];
    private List<int>?[] _leafNodes = [];
    private int[]? _tie;

    /// <summary>Places up to <paramref name="tasks"/> tasks of the service; returns how many found a node.</summary>
    public int Place(int service, int tasks)
    {
        if (tasks <= 0)
        {
            return 0;
        }

        _service = service;
        _remaining = tasks;
        _groupSize = tasks;
        _tree = state.TreeOf(service);
        _treeTasks = new int[_tree.Count];
        _leafNodes = new List<int>?[_tree.Count];
        _tie = TieBreaks();
        foreach (var (node, count) in state.Counts[service])
        {
            for (var t = _tree.LeafOfNode[node]; t >= 0; t = _tree.Parent[t])
            {
                _treeTasks[t] += count;
            }
        }

        state.BeginGroup(service);
        try
        {
            return OnSubtree(tasks, 0);
        }
        finally
        {
            state.EndGroup();
        }
    }

    // Go ranges over a map of nodes, so equal nodes come in a random order; here node order, or a fresh random one per group.
    private int[]? TieBreaks()
    {
        if (ties is null)
        {
            return null;
        }

        var tie = new int[state.NodeCount];
        for (var n = 0; n < tie.Length; n++)
        {
            tie[n] = ties.Next();
        }

        return tie;
    }

    private int OnSubtree(int tasks, int at)
    {
        var branches = _tree.Children[at];
        if (branches.Length == 0)
        {
            var nodes = LeafNodes(at);
            return nodes.Count == 0 ? 0 : OnNodes(tasks, nodes);
        }

        var scheduled = 0;
        var usable = _treeTasks[at];
        var noRoom = new bool[branches.Length];
        var full = 0;
        var converging = true;
        while (scheduled != tasks && full != branches.Length && converging)
        {
            var open = branches.Length - full;
            var desired = (usable + tasks - scheduled) / open;
            var remainder = (usable + tasks - scheduled) % open;
            converging = false;
            foreach (var b in BranchOrder(branches.Length))
            {
                if (noRoom[b])
                {
                    continue;
                }

                // The branch's count as it was when the tree was built: what this group put there since does not show.
                var branchTasks = _treeTasks[branches[b]];
                if (branchTasks < desired || (branchTasks == desired && remainder > 0))
                {
                    converging = true;
                    var assign = desired - branchTasks + (remainder > 0 ? 1 : 0);
                    var placed = OnSubtree(assign, branches[b]);
                    if (placed < assign)
                    {
                        noRoom[b] = true;
                        full++;
                        usable -= branchTasks;
                    }
                    else if (remainder > 0)
                    {
                        remainder--;
                    }

                    scheduled += placed;
                }
            }
        }

        return scheduled;
    }

    private IEnumerable<int> BranchOrder(int count)
    {
        var order = Enumerable.Range(0, count).ToArray();
        if (ties is not null)
        {
            ties.Shuffle(order);
        }

        return order;
    }

    /// <summary>
    /// The leaf's nodes, best first. The first time: the group-size best nodes of the leaf that pass the filters
    /// (the tree's bounded heap). Later in the same group: those of them that still pass, ranked again
    /// (decisionTree.orderedNodes).
    /// </summary>
    private List<int> LeafNodes(int leaf)
    {
        if (_leafNodes[leaf] is { } known)
        {
            known.RemoveAll(n => !state.Passes(n, _service));
            known.Sort(Compare);
            return known;
        }

        var best = new BoundedBest(_groupSize, Compare);
        foreach (var node in _tree.Members[leaf])
        {
            if (best.WouldTake(node) && state.Passes(node, _service))
            {
                best.Add(node);
            }
        }

        var nodes = best.Sorted();
        _leafNodes[leaf] = nodes;
        return nodes;
    }

    /// <summary>SwarmKit's nodeLess: fewer tasks of the service, then fewer tasks in all; then the tie-break.</summary>
    private int Compare(int a, int b)
    {
        var order = state.CountOn(_service, a).CompareTo(state.CountOn(_service, b));
        order = order != 0 ? order : state.Active(a).CompareTo(state.Active(b));
        return order != 0 ? order : _tie is null ? a.CompareTo(b) : _tie[a].CompareTo(_tie[b]);
    }

    private bool Less(int a, int b)
    {
        var order = state.CountOn(_service, a).CompareTo(state.CountOn(_service, b));
        return order != 0 ? order < 0 : state.Active(a) < state.Active(b);
    }

    private int OnNodes(int tasks, List<int> nodes)
    {
        var scheduled = 0;
        var count = nodes.Count;
        var failed = new bool[count];
        var iter = 0;
        while (_remaining > 0)
        {
            var node = nodes[iter % count];
            state.Assign(node, _service);
            _remaining--;
            scheduled++;
            if (scheduled == tasks)
            {
                return scheduled;
            }

            if (iter + 1 < count)
            {
                // The first pass stays on a node until the next one is better.
                if (Less(nodes[(iter + 1) % count], node))
                {
                    iter++;
                }
            }
            else
            {
                // Later passes give each node that still passes one task in turn.
                iter++;
            }

            var start = iter;
            while (failed[iter % count] || !state.Passes(nodes[iter % count], _service))
            {
                failed[iter % count] = true;
                iter++;
                if (iter - start == count)
                {
                    return scheduled;
                }
            }
        }

        return scheduled;
    }

    /// <summary>The best k nodes seen, kept in a max-heap on the worst, as the tree's nodeMaxHeap keeps them.</summary>
    private sealed class BoundedBest(int capacity, Comparison<int> compare)
    {
        private readonly List<int> _heap = [];

        /// <summary>Whether a node could enter: the heap has room, or the node beats its worst.</summary>
        public bool WouldTake(int node) => _heap.Count < capacity || compare(node, _heap[0]) < 0;

        public void Add(int node)
        {
            if (_heap.Count < capacity)
            {
                _heap.Add(node);
                Up(_heap.Count - 1);
            }
            else
            {
                _heap[0] = node;
                Down(0);
            }
        }

        public List<int> Sorted()
        {
            _heap.Sort(compare);
            return _heap;
        }

        private void Up(int i)
        {
            while (i > 0)
            {
                var parent = (i - 1) / 2;
                if (compare(_heap[i], _heap[parent]) <= 0)
                {
                    return;
                }

                (_heap[i], _heap[parent]) = (_heap[parent], _heap[i]);
                i = parent;
            }
        }

        private void Down(int i)
        {
            while (true)
            {
                var largest = i;
                var left = (2 * i) + 1;
                if (left < _heap.Count && compare(_heap[left], _heap[largest]) > 0)
                {
                    largest = left;
                }

                if (left + 1 < _heap.Count && compare(_heap[left + 1], _heap[largest]) > 0)
                {
                    largest = left + 1;
                }

                if (largest == i)
                {
                    return;
                }

                (_heap[i], _heap[largest]) = (_heap[largest], _heap[i]);
                i = largest;
            }
        }
    }
}
