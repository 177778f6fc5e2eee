using System.Text.Json;
using System.Text.Json.Nodes;
using Ward.Deploying.Databases;
using Ward.Engine.Ports;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// GET /api/v1/environments/{name}/databases/{database}/rehearsals: the rehearsals recorded on the swarm (a config per
/// rehearsal, as ward db rehearse leaves them), that database's only, newest first; an unknown database is named.
/// </summary>
public sealed class DatabaseEndpointTests
{
    private const string File = """
        version: "3.9"
        x-ward:
          environment: { name: clinic, kind: staging }
          databases:
            - { name: records, engine: postgres, version: "15", tier: basic-1 }
        services:
          api:
            image: registry.example.org/api:1.0
        """;

    [Fact]
    public async Task The_recorded_rehearsals_of_a_database_are_listed_newest_first()
    {
        var swarm = new FakeSwarm();
        await RecordAsync(swarm, "clinic", "records", new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), verified: false);
        await RecordAsync(swarm, "clinic", "records", new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero), verified: true);
        await RecordAsync(swarm, "clinic", "other", new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero), verified: true);
        await RecordAsync(swarm, "shop", "records", new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), verified: true);
        await using var host = await WardHost.StartAsync(new HostOptions { Engine = swarm });
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, File);

        var list = (await owner.GetAsync("/api/v1/environments/clinic/databases/records/rehearsals").Expect(200)).Json!.AsArray();
        Assert.Equal(["2026-12-03T10:00:00+00:00", "2026-12-01T10:00:00+00:00"], list.Select(r => r!["at"]!.GetValue<string>()));
        Assert.Equal([true, false], list.Select(r => r!["verified"]!.GetValue<bool>()));
        Assert.Equal("the source refused the credentials", list[1]!["failure"]!.GetValue<string>());
        Assert.Equal(42.5, list[0]!["phases"]!["dump"]!.GetValue<double>());

        var unknown = await owner.GetAsync("/api/v1/environments/clinic/databases/orders/rehearsals").Expect(404, "database_not_found");
        Assert.Contains("its databases are records", unknown.Json!["detail"]!.GetValue<string>());
    }

    /// <summary>A record as <see cref="Rehearsals"/> stores it: a config labelled with its environment, the record as JSON.</summary>
    private static Task RecordAsync(FakeSwarm swarm, string environment, string database, DateTimeOffset at, bool verified)
    {
        var record = new RehearsalRecord(environment, database, at, "owner", "legacy@db.example.org:5432/records", verified, null, verified ? null : "the source refused the credentials",
            1_000_000, 400_000, 3, 1200, new Dictionary<string, double> { ["dump"] = 42.5, ["restore"] = 60 }, 110, 9.8);
        return swarm.CreateAsync(ObjectKind.Config, new JsonObject
        {
            ["Name"] = $"ward-rehearsal.{environment}.{database}.{at:yyyyMMddHHmmss}",
            ["Labels"] = new JsonObject
            {
                [Rehearsals.RecordLabel] = environment,
                [Rehearsals.DocumentLabel] = JsonSerializer.Serialize(record, new JsonSerializerOptions(JsonSerializerDefaults.Web)),
            },
        }, TestContext.Current.CancellationToken);
    }
}
