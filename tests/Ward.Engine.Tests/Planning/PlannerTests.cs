using System.Text.Json.Nodes;
using Ward.Engine.Desired;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Engine.Tests.Support;

namespace Ward.Engine.Tests.Planning;

public sealed class PlannerTests : IDisposable
{
    private readonly Deployment _deployment = new();

    public void Dispose() => _deployment.Dispose();

    private static string Describe(Plan plan) => string.Join("\n", plan.Steps.Select(s => $"{s.Change} {s.Target} {s.Name}"));

    private static PlanStep Step(Plan plan, ChangeKind change, StepTarget target, string name) =>
        plan.Steps.SingleOrDefault(s => s.Change == change && s.Target == target && s.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"no step {change} {target} {name} in:\n{Describe(plan)}");

    private string TokenV1 => _deployment.Env.Converter().Convert(_deployment.Env.Read(Deployment.V1)).Single(o => o.Kind == ObjectKind.Secret).Name;

    [Fact]
    public async Task On_an_empty_swarm_everything_is_created_in_dependency_order()
    {
        var plan = await _deployment.PlanAsync(Deployment.V1);
        var creates = plan.Steps.Where(s => s.Target != StepTarget.Node).ToList();
        Assert.All(creates, s => Assert.Equal(ChangeKind.Create, s.Change));
        Assert.Equal(
            ["Network demo_back", "Network demo_front", $"Secret {TokenV1}", "Config", "Service demo_web", "Service demo_api", "Service demo_worker"],
            creates.Select(s => s.Target == StepTarget.Config ? "Config" : $"{s.Target} {s.Name}"));
        Assert.StartsWith("demo_site_", Step(plan, ChangeKind.Create, StepTarget.Config, creates[3].Name).Name, StringComparison.Ordinal);
        Assert.Equal("content version of token", creates[2].Reason);

        // The order of phases: every step's target comes no earlier than the one before it.
        var order = plan.Steps.Select(s => s.Target).ToList();
        Assert.Equal(order.Order(), order);
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public async Task A_second_plan_after_applying_has_nothing_to_do()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var again = await _deployment.PlanAsync(Deployment.V1);
        Assert.False(again.HasChanges, Describe(again));
        Assert.Empty(again.Warnings);
    }

    [Fact]
    public async Task The_environment_the_engine_stores_compares_equal_for_the_full_cli_reference_file()
    {
        _deployment.Env.File("web.env", "FROM_FILE=1\nSHARED=file\n").File("s1.txt", "one").File("s2.txt", "two").File("c1.conf", "conf");
        _deployment.Engine.Seed(ObjectKind.Secret, new JsonObject { ["Name"] = "ignored" });
        await _deployment.DeployAsync(Desired.CliParityTests.B10File);
        var again = await _deployment.PlanAsync(Desired.CliParityTests.B10File);
        Assert.False(again.HasChanges, Describe(again) + "\n" + string.Join("\n", again.Steps.SelectMany(s => s.Fields).Select(f => $"{f.Path}: {f.Before} -> {f.After}")));
    }

    [Fact]
    public async Task A_changed_service_is_an_update_listing_the_fields_that_differ()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var plan = await _deployment.PlanAsync(Deployment.V1.Replace("nginx:1.27", "nginx:1.28", StringComparison.Ordinal).Replace("replicas: 2", "replicas: 3", StringComparison.Ordinal));
        var web = Assert.Single(plan.Steps);
        Assert.Equal((ChangeKind.Update, StepTarget.Service, "demo_web"), (web.Change, web.Target, web.Name));
        Assert.Equal(
            [
                new FieldChange("Labels.com.docker.stack.image", "\"nginx:1.27\"", "\"nginx:1.28\""),
                new FieldChange("Mode.Replicated.Replicas", "2", "3"),
                new FieldChange("TaskTemplate.ContainerSpec.Image", "\"nginx:1.27\"", "\"nginx:1.28\""),
            ],
            web.Fields);
        var existing = _deployment.Engine.Object(ObjectKind.Service, "demo_web");
        Assert.Equal((existing.Id, existing.Version), (web.Id, web.Version));
    }

    [Fact]
    public async Task A_secret_with_new_content_is_a_new_version_and_the_old_one_goes_after_the_services()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var oldName = TokenV1;
        var plan = await _deployment.PlanAsync(Deployment.V1.Replace("token-v1.txt", "token-v2.txt", StringComparison.Ordinal));

        var create = plan.Steps.Single(s => s.Change == ChangeKind.Create);
        Assert.Equal(StepTarget.Secret, create.Target);
        Assert.StartsWith("demo_token_", create.Name, StringComparison.Ordinal);
        Assert.NotEqual(oldName, create.Name);

        foreach (var service in new[] { "demo_web", "demo_api" })
        {
            var update = Step(plan, ChangeKind.Update, StepTarget.Service, service);
            var field = Assert.Single(update.Fields);
            Assert.Equal("TaskTemplate.ContainerSpec.Secrets[0].SecretName", field.Path);
            Assert.Equal(($"\"{oldName}\"", $"\"{create.Name}\""), (field.Before, field.After));
        }

        var remove = Step(plan, ChangeKind.Remove, StepTarget.Secret, oldName);
        Assert.True(remove.AfterServices);
        Assert.Equal("old version of token, removed once no service uses it", remove.Reason);
        Assert.Equal(_deployment.Engine.Object(ObjectKind.Secret, oldName).Id, remove.Id);
        Assert.True(plan.Steps.ToList().IndexOf(remove) > plan.Steps.ToList().FindLastIndex(s => s.Target == StepTarget.Service));
        Assert.DoesNotContain(plan.Steps, s => s.Name == "demo_worker");
    }

    [Fact]
    public async Task A_secret_the_cli_created_without_a_content_hash_is_replaced_by_a_versioned_one()
    {
        _deployment.Engine.Seed(ObjectKind.Secret, Json.Parse("""{"Name":"demo_token","Labels":{"com.docker.stack.namespace":"demo"}}"""));
        var plan = await _deployment.PlanAsync(Deployment.V1);
        var remove = Step(plan, ChangeKind.Remove, StepTarget.Secret, "demo_token");
        Assert.True(remove.AfterServices);
        Assert.StartsWith("old version of token", remove.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_removed_from_the_file_is_removed_only_when_pruning()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var withoutSite = Deployment.V1
            .Replace("    configs:\n      - source: site\n        target: /etc/nginx/conf.d/site.conf\n", "", StringComparison.Ordinal)
            .Replace("\nconfigs:\n  site:\n    file: ./site.conf", "", StringComparison.Ordinal);
        Assert.DoesNotContain("site", withoutSite, StringComparison.Ordinal);
        var siteName = _deployment.Engine.Objects.Single(o => o.Kind == ObjectKind.Config).Name;

        var plan = await _deployment.PlanAsync(withoutSite);
        Assert.Equal(["Update Service demo_web"], plan.Steps.Select(s => $"{s.Change} {s.Target} {s.Name}"));

        var pruning = await _deployment.PlanAsync(withoutSite, prune: true);
        var remove = Step(pruning, ChangeKind.Remove, StepTarget.Config, siteName);
        Assert.Equal("no longer in the file (--prune)", remove.Reason);
        Assert.True(remove.AfterServices);
    }

    [Fact]
    public async Task Services_and_networks_left_out_of_the_file_are_removed_only_when_pruning()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var withoutWorker = Deployment.V1.Replace("  worker:\n    image: registry.example/app:1\n    command: [\"work\"]\n    networks: [back]\n", "", StringComparison.Ordinal);
        Assert.DoesNotContain("worker:", withoutWorker, StringComparison.Ordinal);

        Assert.False((await _deployment.PlanAsync(withoutWorker)).HasChanges);
        var pruning = await _deployment.PlanAsync(withoutWorker, prune: true);
        var remove = Assert.Single(pruning.Steps);
        Assert.Equal((ChangeKind.Remove, StepTarget.Service, "demo_worker", "no longer in the file (--prune)"), (remove.Change, remove.Target, remove.Name, remove.Reason));
        Assert.Equal(_deployment.Engine.Object(ObjectKind.Service, "demo_worker").Id, remove.Id);
    }

    [Fact]
    public async Task Objects_of_other_environments_are_never_touched()
    {
        _deployment.Engine.Seed(ObjectKind.Service, Json.Parse("""{"Name":"other_web","Labels":{"com.docker.stack.namespace":"other"},"TaskTemplate":{"ContainerSpec":{"Image":"x"}}}"""));
        _deployment.Engine.Seed(ObjectKind.Secret, Json.Parse("""{"Name":"demo_stray","Labels":{}}"""));
        await _deployment.DeployAsync(Deployment.V1);
        var plan = await _deployment.PlanAsync(Deployment.V2, prune: true);
        Assert.DoesNotContain(plan.Steps, s => s.Name is "other_web" or "demo_stray");
    }

    [Fact]
    public async Task External_secrets_and_configs_that_do_not_exist_are_warnings()
    {
        var yaml = Deployment.V1.Replace("token:\n    file: ./token-v1.txt", "token:\n    external: true\n    name: shared-token", StringComparison.Ordinal);
        var plan = await _deployment.PlanAsync(yaml);
        Assert.Equal(
            ["service demo_web uses the external secret shared-token, which does not exist on the swarm", "service demo_api uses the external secret shared-token, which does not exist on the swarm"],
            plan.Warnings);
        Assert.DoesNotContain(plan.Steps, s => s.Target == StepTarget.Secret);

        _deployment.Engine.Seed(ObjectKind.Secret, Json.Parse("""{"Name":"shared-token","Labels":{}}"""));
        Assert.Empty((await _deployment.PlanAsync(yaml)).Warnings);
    }

    [Fact]
    public async Task A_network_that_differs_from_the_file_is_a_warning_but_the_engine_vxlan_option_is_not()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var back = _deployment.Engine.Object(ObjectKind.Network, "demo_back");
        Assert.True(back.Spec["Options"]!.AsObject().ContainsKey(FakeEngine.VxlanOption));
        Assert.Empty((await _deployment.PlanAsync(Deployment.V1)).Warnings);

        var attachable = Deployment.V1.Replace("  back:\n    internal: true", "  back:\n    internal: true\n    attachable: true", StringComparison.Ordinal);
        var plan = await _deployment.PlanAsync(attachable);
        var warning = Assert.Single(plan.Warnings);
        Assert.Contains("network demo_back differs from the file (Attachable: false on the swarm, true in the file)", warning, StringComparison.Ordinal);
        Assert.False(plan.HasChanges);

        var encrypted = Deployment.V1.Replace("  front: {}", "  front:\n    driver_opts:\n      encrypted: \"\"", StringComparison.Ordinal);
        Assert.Contains("network demo_front differs from the file (Options:", Assert.Single((await _deployment.PlanAsync(encrypted)).Warnings), StringComparison.Ordinal);
    }
}
