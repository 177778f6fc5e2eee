using Ward.Deploying;
using Ward.Deploying.Loading;
using Ward.Model.Diagnostics;

namespace Ward.Engine.Tests.Deploying;

/// <summary>Loading an environment as both hosts do: the catalog in force, unreadable files, the gate's inputs.</summary>
public sealed class LoaderTests : IDisposable
{
    private const string HugeNodes = """
        version: "3.9"
        x-ward:
          environment: { name: big, kind: staging }
          nodes:
            - { name: manager-1, role: manager, size: huge }
        services:
          web:
            image: clinic/web:1.0
        """;

    private readonly CoreWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void A_size_outside_the_catalog_is_refused_naming_the_sizes_there_are()
    {
        var loaded = _world.TryLoad(HugeNodes);
        Assert.Null(loaded.Environment);
        var problem = Assert.Single(loaded.Read.Diagnostics, d => d.BlocksReading);
        Assert.Contains("'huge'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("small, medium, large, x-large", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalog_file_adds_sizes_for_every_host_that_loads_through_the_core()
    {
        var file = Path.Combine(_world.Directory, "catalog.yaml");
        File.WriteAllText(file, "sizes:\n  - { name: huge, vcpu: 64, memory_gb: 512, disk_gb: 1000, cloud_size: M64 }\n");
        var diagnostics = new DiagnosticBag();
        var catalog = Catalogs.Load(file, diagnostics);
        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        var environment = _world.Load(HugeNodes, catalog);
        Assert.Equal("huge", environment.Spec.Nodes.Single().Size);
    }

    [Fact]
    public void A_broken_catalog_file_is_reported_and_leaves_the_built_in_one()
    {
        var file = Path.Combine(_world.Directory, "catalog.yaml");
        File.WriteAllText(file, "sizes: [ { name: huge, vcpu: lots } ]\n");
        var diagnostics = new DiagnosticBag();
        var catalog = Catalogs.Load(file, diagnostics);
        Assert.True(diagnostics.HasErrors);
        Assert.Same(Model.Catalog.SizeCatalog.BuiltIn, catalog);
    }

    [Fact]
    public void A_missing_secret_file_is_found_when_the_file_becomes_swarm_objects()
    {
        var environment = _world.Load("""
            version: "3.9"
            x-ward:
              environment: { name: demo, kind: staging }
            services:
              web:
                image: clinic/web:1.0
                secrets: [token]
            secrets:
              token: { file: ./token.txt }
            """);
        var missing = Assert.Throws<Ward.Engine.Desired.DesiredStateException>(() => Deployer.Admit(environment, CoreWorld.Quick()));
        Assert.Contains("token.txt does not exist", missing.Message, StringComparison.Ordinal);
    }
}
