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
    // Buffers kept from group to group: a plan of thousands of services places thousands of groups.
    private readonly List<List<int>> _spareLists = [];
    private readonly BoundedBest _best = new();

    // A node's rank packed in one number (see KeyOf): 21 bits for each part.
    private const int Bits = 21;
    private const long Mask = (1L << Bits) - 1;
    private int _service;
    private int _remaining;
    private int _groupSize;
    private SpreadTree _tree = null!;
    private int[] _treeTasks = [];
    private List<int>?[] _leafNodes = [];
    private bool[] _failed = [];
    private int[]? _tie;
    private int[]? _nodeOfTie;
    private Comparison<int>? _compare;

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
        _compare ??= Compare;
        if (_treeTasks.Length < _tree.Count)
        {
            _treeTasks = new int[_tree.Count];
            Array.Resize(ref _leafNodes, _tree.Count);
        }

        Array.Clear(_treeTasks, 0, _tree.Count);
        for (var t = 0; t < _tree.Count; t++)
        {
            if (_leafNodes[t] is { } list)
            {
                list.Clear();
                _spareLists.Add(list);
                _leafNodes[t] = null;
            }
        }

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

        var tie = Enumerable.Range(0, state.NodeCount).ToArray();
        ties.Shuffle(tie);
        _nodeOfTie = new int[tie.Length];
        for (var n = 0; n < tie.Length; n++)
        {
            _nodeOfTie[tie[n]] = n;
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
            known.Sort(_compare!);
            return known;
        }

        _best.Reset(_groupSize);
        foreach (var node in _tree.Members[leaf])
        {
            var key = KeyOf(node);
            if (_best.WouldTake(key) && state.Passes(node, _service))
            {
                _best.Add(key);
            }
        }

        var nodes = _spareLists.Count > 0 ? _spareLists[^1] : [];
        if (_spareLists.Count > 0)
        {
            _spareLists.RemoveAt(_spareLists.Count - 1);
        }

        foreach (var key in _best.Sorted())
        {
            var tie = (int)(key & Mask);
            nodes.Add(_tie is null ? tie : _nodeOfTie![tie]);
        }

        _leafNodes[leaf] = nodes;
        return nodes;
    }

    /// <summary>
    /// SwarmKit's nodeLess as one number, smaller is better: the node's tasks of the service, then its tasks in all,
    /// then the tie-break (its place in node order, or a random place).
    /// </summary>
    private long KeyOf(int node)
    {
        var tie = _tie is null ? node : _tie[node];
        return (Math.Min(state.CountOn(_service, node), Mask) << (2 * Bits)) | (Math.Min(state.Active(node), Mask) << Bits) | (long)tie;
    }

    private int Compare(int a, int b) => KeyOf(a).CompareTo(KeyOf(b));

    private bool Less(int a, int b)
    {
        var order = state.CountOn(_service, a).CompareTo(state.CountOn(_service, b));
        return order != 0 ? order < 0 : state.Active(a) < state.Active(b);
    }

    private int OnNodes(int tasks, List<int> nodes)
    {
        var scheduled = 0;
        var count = nodes.Count;
        if (_failed.Length < count)
        {
            _failed = new bool[Math.Max(count, _failed.Length * 2)];
        }

        var failed = _failed;
        Array.Clear(failed, 0, count);
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

    /// <summary>The best k keys seen, kept in a max-heap on the worst, as the tree's nodeMaxHeap keeps its nodes.</summary>
    private sealed class BoundedBest
    {
        private long[] _heap = [];
        private int _count;
        private int _capacity;

        public void Reset(int capacity)
        {
            _capacity = capacity;
            _count = 0;
        }

        /// <summary>Whether a key could enter: the heap has room, or the key beats its worst.</summary>
        public bool WouldTake(long key) => _count < _capacity || key < _heap[0];

        public void Add(long key)
        {
            if (_count < _capacity)
            {
                if (_count == _heap.Length)
                {
                    Array.Resize(ref _heap, Math.Max(16, _heap.Length * 2));
                }

                _heap[_count++] = key;
                Up(_count - 1);
            }
            else
            {
                _heap[0] = key;
                Down(0);
            }
        }

        /// <summary>The keys kept, best first.</summary>
        public ReadOnlySpan<long> Sorted()
        {
            Array.Sort(_heap, 0, _count);
            return _heap.AsSpan(0, _count);
        }

        private void Up(int i)
        {
            while (i > 0)
            {
                var parent = (i - 1) / 2;
                if (_heap[i] <= _heap[parent])
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
                if (left < _count && _heap[left] > _heap[largest])
                {
                    largest = left;
                }

                if (left + 1 < _count && _heap[left + 1] > _heap[largest])
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
