using System.Text.Json.Nodes;
using Ward.Engine.Planning;
using Ward.Engine.Ports;

namespace Ward.Engine.Applying;

/// <summary>
/// Carries out a plan in dependency order (networks, secrets and configs, node labels, services; then removals that
/// wait for services), running independent steps of a phase in parallel, and then waits for convergence.
/// Every step is an atomic engine call keyed by a deterministic name, so an apply killed at any moment is finished
/// by running it again: the next plan starts from what the swarm holds. A stale version index is retried on fresh
/// state, never forced.
/// </summary>
public sealed class Applier(IEngine engine, TimeProvider time)
{
    public async Task<ApplyResult> ApplyAsync(Plan plan, ApplyOptions options, IApplyObserver observer, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var done = new List<PlanStep>();
        var problems = new List<string>();
        var phases = new (string Name, Func<PlanStep, bool> Selects)[]
        {
            ("networks", s => s.Target == StepTarget.Network && s.Change == ChangeKind.Create),
            ("secrets and configs", s => s.Target is StepTarget.Secret or StepTarget.Config && s.Change == ChangeKind.Create),
            ("nodes", s => s.Target == StepTarget.Node),
            ("services", s => s.Target == StepTarget.Service),
        };
        foreach (var (name, selects) in phases)
        {
            var steps = plan.Steps.Where(selects).ToList();
            if (steps.Count == 0)
            {
                continue;
            }

            // Services reference secrets and configs by id: read them once the objects they need exist.
            var references = name == "services" ? await ReferenceIdsAsync(cancellationToken) : null;
            var phase = await RunPhaseAsync(steps, step => RunStepAsync(step, plan.Environment, references, options, cancellationToken), options, observer, cancellationToken);
            done.AddRange(phase.Done);
            if (phase.Errors.Count > 0)
            {
                return Stopped(plan, done, phase.Errors, time.GetElapsedTime(started));
            }
        }

        if (!options.AwaitConvergence)
        {
            var (applied, _) = Split(plan, done);
            return new ApplyResult(ApplyOutcome.Applied, done.Count, [], [], time.GetElapsedTime(started)) { Done = applied };
        }

        var result = await new ConvergenceWatcher(engine, time).WaitAsync(plan.Environment, options with { Timeout = options.Timeout - time.GetElapsedTime(started) }, observer, done.Count, cancellationToken);
        if (result.Outcome == ApplyOutcome.Converged)
        {
            // Old secret and config versions and pruned networks go only once the services no longer use them.
            var cleanup = plan.Steps.Where(s => s.Change == ChangeKind.Remove && s.Target != StepTarget.Service).ToList();
            var phase = await RunPhaseAsync(cleanup, step => RemoveIfUnusedAsync(step, cancellationToken), options, observer, cancellationToken);
            done.AddRange(phase.Done);
            problems.AddRange(phase.Errors);
        }

        var (made, notMade) = Split(plan, done);
        return result with
        {
            StepsDone = done.Count,
            Problems = [.. result.Problems, .. problems],
            Elapsed = time.GetElapsedTime(started),
            Done = made,
            NotDone = notMade,
        };
    }

    /// <summary>
    /// The result of an apply a failed step stopped: the engine's errors, then in words what was done before and what
    /// was not, so that the user knows what exists now and that the next apply carries on from it.
    /// </summary>
    private static ApplyResult Stopped(Plan plan, List<PlanStep> done, List<string> errors, TimeSpan elapsed)
    {
        var (madeSoFar, notDone) = Split(plan, done);
        var summary = madeSoFar.Count == 0
            ? "the apply stopped before it changed anything"
            : $"the apply stopped after {madeSoFar.Count} of {plan.Steps.Count} changes; done: {string.Join(", ", madeSoFar.Select(ApplyResult.Describe))}";
        summary += $"; not done: {string.Join(", ", notDone.Select(ApplyResult.Describe))}. Fix the cause and apply again: it carries on from what exists.";
        return new ApplyResult(ApplyOutcome.Failed, done.Count, [.. errors, summary], [], elapsed) { Done = madeSoFar, NotDone = notDone };
    }

    /// <summary>The plan's steps in plan order, split into those done and the others.</summary>
    private static (List<PlanStep> Done, List<PlanStep> NotDone) Split(Plan plan, List<PlanStep> done)
    {
        var made = new HashSet<PlanStep>(done, ReferenceEqualityComparer.Instance);
        return ([.. plan.Steps.Where(made.Contains)], [.. plan.Steps.Where(s => !made.Contains(s))]);
    }

    /// <summary>
    /// Runs a phase's steps, several at once. Once one fails, no further step of the phase is started (those running
    /// finish): an apply that meets a refusal stops rather than carrying on around it.
    /// </summary>
    private static async Task<(List<PlanStep> Done, List<string> Errors)> RunPhaseAsync(List<PlanStep> steps, Func<PlanStep, Task> run, ApplyOptions options, IApplyObserver observer, CancellationToken cancellationToken)
    {
        var done = new List<PlanStep>();
        var errors = new List<string>();
        using var gate = new SemaphoreSlim(options.Parallelism);
        await Task.WhenAll(steps.Select(async step =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                lock (errors)
                {
                    if (errors.Count > 0)
                    {
                        return;
                    }
                }

                observer.StepStarted(step);
                await run(step);
                lock (errors)
                {
                    done.Add(step);
                }

                observer.StepFinished(step, null);
            }
            catch (EngineException e)
            {
                lock (errors)
                {
                    errors.Add($"{ApplyResult.Describe(step)}: {e.Message}");
                }

                observer.StepFinished(step, e.Message);
            }
            finally
            {
                gate.Release();
            }
        }));
        return (done, errors);
    }

    private async Task RunStepAsync(PlanStep step, string environment, Dictionary<string, string>? references, ApplyOptions options, CancellationToken cancellationToken)
    {
        switch (step)
        {
            case { Target: StepTarget.Node }:
                await UpdateNodeAsync(step, options, cancellationToken);
                break;
            case { Target: StepTarget.Service, Change: ChangeKind.Create }:
                await CreateAsync(ObjectKind.Service, WithReferenceIds(step.Spec!, references!), cancellationToken);
                break;
            case { Target: StepTarget.Service, Change: ChangeKind.Update }:
                await UpdateServiceAsync(step, environment, references!, options, cancellationToken);
                break;
            case { Target: StepTarget.Service, Change: ChangeKind.Remove }:
                await RemoveAsync(ObjectKind.Service, step.Id!, cancellationToken);
                break;
            case { Change: ChangeKind.Create }:
                await CreateAsync(KindOf(step.Target), step.Spec!, cancellationToken);
                break;
        }
    }

    /// <summary>Creates an object; one that exists already (an earlier, interrupted apply made it) is fine.</summary>
    private async Task CreateAsync(ObjectKind kind, JsonObject spec, CancellationToken cancellationToken)
    {
        try
        {
            await engine.CreateAsync(kind, spec, cancellationToken);
        }
        catch (EngineConflictException) when (kind != ObjectKind.Service)
        {
            // Deterministic names: the same name is the same object (content-versioned for secrets and configs).
        }
    }

    private async Task RemoveAsync(ObjectKind kind, string id, CancellationToken cancellationToken)
    {
        try
        {
            await engine.RemoveAsync(kind, id, cancellationToken);
        }
        catch (EngineNotFoundException)
        {
            // Already gone: the goal is reached.
        }
    }

    /// <summary>
    /// Updates a service at the version the plan saw. When the engine reports a newer version (someone else changed it,
    /// or Swarm did), the service is read again, and updated at its new version only if it still differs.
    /// </summary>
    private async Task UpdateServiceAsync(PlanStep step, string environment, Dictionary<string, string> references, ApplyOptions options, CancellationToken cancellationToken)
    {
        var version = step.Version!.Value;
        for (var attempt = 1; ; attempt++)
        {
            var current = (await engine.ListAsync(ObjectKind.Service, environment, cancellationToken)).FirstOrDefault(s => s.Id == step.Id)
                ?? throw new EngineNotFoundException($"the service {step.Name} disappeared while applying; run the apply again");
            if (attempt > 1)
            {
                version = current.Version;
                if (!step.Restart && await IsAlreadyAsync(current.Spec, step.Spec!, cancellationToken))
                {
                    // Someone else (another apply of the same file) made this very change meanwhile.
                    return;
                }
            }

            var spec = WithReferenceIds(step.Spec!, references);
            if (spec["TaskTemplate"] is JsonObject task)
            {
                // Like the CLI: keep the service's force-update counter, or every update would restart all tasks; a
                // restart raises it, which is what makes Swarm replace tasks whose spec is otherwise the same.
                var counter = current.Spec["TaskTemplate"]?["ForceUpdate"] is JsonValue value && value.TryGetValue<long>(out var count) ? count : 0;
                task["ForceUpdate"] = step.Restart ? counter + 1 : counter;
            }

            try
            {
                await engine.UpdateServiceAsync(step.Id!, version, spec, cancellationToken);
                return;
            }
            catch (EngineConflictException e)
            {
                if (attempt >= options.ConflictRetries)
                {
                    throw new EngineConflictException($"the service kept changing while Ward updated it ({attempt} attempts; the engine said: {e.Message}); run the apply again", e);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time, cancellationToken);
            }
        }
    }

    /// <summary>Whether a service's current spec already is the desired one, as the planner compares them.</summary>
    private async Task<bool> IsAlreadyAsync(JsonObject current, JsonObject desired, CancellationToken cancellationToken)
    {
        var networks = (await engine.ListAsync(ObjectKind.Network, null, cancellationToken)).ToDictionary(n => n.Id, n => n.Name, StringComparer.Ordinal);
        return JsonNode.DeepEquals(SpecNormalizer.Service(current, networks), SpecNormalizer.Service(desired, networks));
    }

    private async Task UpdateNodeAsync(PlanStep step, ApplyOptions options, CancellationToken cancellationToken)
    {
        var version = step.Version!.Value;
        var spec = step.Spec!;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await engine.UpdateNodeAsync(step.Id!, version, spec, cancellationToken);
                return;
            }
            catch (EngineConflictException) when (attempt < options.ConflictRetries && step.Node is not null)
            {
                var node = (await engine.ListNodesAsync(cancellationToken)).FirstOrDefault(n => n.Id == step.Id)
                    ?? throw new EngineNotFoundException($"the node {step.Name} left the swarm while applying");
                version = node.Version;
                spec = NodeMatcher.DesiredSpec(step.Node, node);
            }
        }
    }

    /// <summary>Removes an old secret, config or network version unless a service still uses it (then it waits for the next apply).</summary>
    private async Task RemoveIfUnusedAsync(PlanStep step, CancellationToken cancellationToken)
    {
        var services = await engine.ListAsync(ObjectKind.Service, null, cancellationToken);
        var inUse = services.Any(s => s.Spec.ToJsonString().Contains($"\"{step.Name}\"", StringComparison.Ordinal) ||
                                      (step.Target == StepTarget.Network && s.Spec.ToJsonString().Contains($"\"{step.Id}\"", StringComparison.Ordinal)));
        if (!inUse)
        {
            await RemoveAsync(KindOf(step.Target), step.Id!, cancellationToken);
        }
    }

    private async Task<Dictionary<string, string>> ReferenceIdsAsync(CancellationToken cancellationToken)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kind in new[] { ObjectKind.Secret, ObjectKind.Config })
        {
            foreach (var item in await engine.ListAsync(kind, null, cancellationToken))
            {
                ids[$"{kind}:{item.Name}"] = item.Id;
            }
        }

        return ids;
    }

    /// <summary>The spec with each secret and config reference given the id of the object it names, as the CLI does.</summary>
    private static JsonObject WithReferenceIds(JsonObject spec, Dictionary<string, string> ids)
    {
        var copy = (JsonObject)spec.DeepClone();
        var container = copy["TaskTemplate"]?["ContainerSpec"];
        foreach (var (list, nameField, idField, kind) in new[] { ("Secrets", "SecretName", "SecretID", ObjectKind.Secret), ("Configs", "ConfigName", "ConfigID", ObjectKind.Config) })
        {
            foreach (var reference in (container?[list] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var name = reference[nameField]!.GetValue<string>();
                reference[idField] = ids.TryGetValue($"{kind}:{name}", out var id)
                    ? id
                    : throw new EngineRequestException($"the {kind.ToString().ToLowerInvariant()} {name} does not exist on the swarm (create it, or declare it with file: so Ward creates it)");
            }
        }

        return copy;
    }

    private static ObjectKind KindOf(StepTarget target) => target switch
    {
        StepTarget.Network => ObjectKind.Network,
        StepTarget.Secret => ObjectKind.Secret,
        StepTarget.Config => ObjectKind.Config,
        _ => ObjectKind.Service,
    };
}
