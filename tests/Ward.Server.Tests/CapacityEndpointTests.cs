using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// GET /api/v1/environments/{name}/capacity: the capacity document of the core (as ward plan --capacity --format json
/// gives it), what-ifs as query parameters, and bad input refused with the value and the choices.
/// </summary>
public sealed class CapacityEndpointTests : IAsyncLifetime
{
    private const string File = """
        version: "3.9"
        x-ward:
          environment: { name: clinic, kind: staging }
          nodes:
            - { name: manager-1, role: manager, size: medium }
            - { name: worker-1, role: worker, size: large }
            - { name: worker-2, role: worker, size: large }
        services:
          api:
            image: registry.example.org/api:1.0
            deploy:
              replicas: 2
              placement: { constraints: [ "node.role != manager" ], max_replicas_per_node: 1 }
              resources: { reservations: { cpus: "1.5", memory: 1G } }
        """;

    private WardHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await WardHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_document_places_every_task_and_a_what_if_names_what_no_longer_fits()
    {
        var owner = await _host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, File);

        var fits = (await owner.GetAsync("/api/v1/environments/clinic/capacity").Expect(200)).Json!;
        Assert.True(fits["fits"]!.GetValue<bool>());
        Assert.Equal("the file's nodes", fits["source"]!.GetValue<string>());
        Assert.Equal(1.5, fits["nodes"]![1]!["reservedCpus"]!.GetValue<double>());
        Assert.Equal(["small", "medium", "large", "x-large"], fits["sizes"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));

        var lost = (await owner.GetAsync("/api/v1/environments/clinic/capacity?without=worker-2&scale=api=2").Expect(200)).Json!;
        Assert.False(lost["fits"]!.GetValue<bool>());
        Assert.Equal("api", lost["noLongerFits"]![0]!["service"]!.GetValue<string>());
        Assert.Equal("to fit: add 1 medium (B2s: 2 vCPU, 4 GB) worker", lost["fix"]!["advice"]!.GetValue<string>());

        var grown = (await owner.GetAsync("/api/v1/environments/clinic/capacity?without=worker-2&addWorker=large").Expect(200)).Json!;
        Assert.True(grown["fits"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Bad_what_ifs_are_refused_naming_each_value_and_the_choices()
    {
        var owner = await _host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, File);
        var reply = await owner.GetAsync("/api/v1/environments/clinic/capacity?without=worker-9&addWorker=huge&scale=api=-1&scale=web=2").Expect(400, "invalid_what_if");
        var errors = reply.Json!["errors"]!.AsArray().Select(e => $"{e!["parameter"]} {e["value"]}: {e["message"]}").ToList();
        Assert.Equal(
        [
            "without worker-9: there is no node named 'worker-9'; the nodes are manager-1, worker-1, worker-2",
            "addWorker huge: 'huge' is not a node size; the sizes are small, medium, large, x-large (SIZE or SIZExN, e.g. largex2)",
            "scale api=-1: -1 replicas: a replica count is 0 or more",
            "scale web=2: there is no service named 'web'; the services are api",
        ], errors);

        await owner.GetAsync("/api/v1/environments/clinic/capacity?source=cloud").Expect(400, "invalid_source");
        await owner.GetAsync("/api/v1/environments/nowhere/capacity").Expect(404, "environment_not_found");
    }
}
