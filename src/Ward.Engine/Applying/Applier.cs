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
        var done = 0;
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
            var errors = await RunPhaseAsync(steps, step => RunStepAsync(step, plan.Environment, references, options, cancellationToken), options, observer, cancellationToken);
            done += steps.Count - errors.Count;
            if (errors.Count > 0)
            {
                problems.AddRange(errors);
                return new ApplyResult(ApplyOutcome.Failed, done, problems, [], time.GetElapsedTime(started));
            }
        }

        var result = await new ConvergenceWatcher(engine, time).WaitAsync(plan.Environment, options with { Timeout = options.Timeout - time.GetElapsedTime(started) }, observer, done, cancellationToken);
        if (result.Outcome == ApplyOutcome.Converged)
        {
            // Old secret and config versions and pruned networks go only once the services no longer use them.
            var cleanup = plan.Steps.Where(s => s.Change == ChangeKind.Remove && s.Target != StepTarget.Service).ToList();
            var errors = await RunPhaseAsync(cleanup, step => RemoveIfUnusedAsync(step, cancellationToken), options, observer, cancellationToken);
            done += cleanup.Count - errors.Count;
            problems.AddRange(errors);
        }

        return result with { StepsDone = done, Problems = [.. result.Problems, .. problems], Elapsed = time.GetElapsedTime(started) };
    }

    private static async Task<List<string>> RunPhaseAsync(List<PlanStep> steps, Func<PlanStep, Task> run, ApplyOptions options, IApplyObserver observer, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        using var gate = new SemaphoreSlim(options.Parallelism);
        await Task.WhenAll(steps.Select(async step =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                observer.StepStarted(step);
                await run(step);
                observer.StepFinished(step, null);
            }
            catch (EngineException e)
            {
                var message = $"{step.Change.ToString().ToLowerInvariant()} {step.Target.ToString().ToLowerInvariant()} {step.Name}: {e.Message}";
                lock (errors)
                {
                    errors.Add(message);
                }

                observer.StepFinished(step, e.Message);
            }
            finally
            {
                gate.Release();
            }
        }));
        return errors;
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
