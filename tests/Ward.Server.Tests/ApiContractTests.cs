using System.Text.Json;
using System.Text.Json.Nodes;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// The API's published contract, docs/openapi/v1.json: the live document may add to it, never break it (a removed
/// path, operation or field, a changed type, a newly required input) unless the API's major version changes; and the
/// copy is kept equal to the live document, so the client the tests generate from it (Kiota) is the live one's.
/// After an intended change, run this class with WARD_UPDATE_GOLDEN=1 and review the rewritten copy in the diff.
/// </summary>
public sealed class ApiContractTests(OpenApiDocumentTests.Fixture world) : IClassFixture<OpenApiDocumentTests.Fixture>
{
    private static readonly string CopyPath = Repository.PathOf("docs", "openapi", "v1.json");

    /// <summary>The copy's server: the live document's is wherever the test server listens.</summary>
    private const string PublishedServer = "http://127.0.0.1:8080";

    [Fact]
    public async Task The_live_document_keeps_the_published_contract_and_equals_the_copy()
    {
        var live = Published(world.Document);
        var copy = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(CopyPath, TestContext.Current.CancellationToken))!;
        var breaking = ContractDiff.Breaking(copy, live);
        var sameMajor = ContractDiff.MajorVersion(copy) == ContractDiff.MajorVersion(live);
        Assert.True(breaking.Count == 0 || !sameMajor,
            $"the live API breaks its published contract (docs/openapi/v1.json, version {copy["info"]!["version"]}) in {breaking.Count} way(s); keep the old shape, or change ApiDescription.Version's major number:\n{string.Join('\n', breaking)}");

        var text = Text(live);
        if (Environment.GetEnvironmentVariable("WARD_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(CopyPath, text, TestContext.Current.CancellationToken);
            return;
        }

        Assert.True(Text(copy) == text,
            "the live document adds to docs/openapi/v1.json without breaking it: run ApiContractTests with WARD_UPDATE_GOLDEN=1 and commit the copy (the generated client follows it)");
    }

    [Fact]
    public async Task Each_kind_of_breaking_change_is_caught_unless_the_major_version_changes()
    {
        var copy = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(CopyPath, TestContext.Current.CancellationToken))!;
        Assert.Empty(ContractDiff.Breaking(copy, copy.DeepClone().AsObject()));
        var cases = new (string Change, Action<JsonObject> Make, string Expected)[]
        {
            ("a path removed", d => d["paths"]!.AsObject().Remove("/api/v1/audit/verify"), "/api/v1/audit/verify: the path was removed"),
            ("an operation removed", d => d["paths"]!["/api/v1/environments/{name}"]!.AsObject().Remove("delete"), "DELETE /api/v1/environments/{name}: the operation was removed"),
            ("a response field removed", d => Schema(d, "PlanDocument")["properties"]!.AsObject().Remove("hasChanges"), "POST /api/v1/environments/{name}/plans: 200 response.hasChanges was removed"),
            ("a field's type changed", d => Schema(d, "EnvironmentStored")["properties"]!["version"] = new JsonObject { ["type"] = "string" }, "POST /api/v1/environments: 201 response.version was integer, is now string"),
            ("an input newly required", d => Schema(d, "PlanRequest")["required"] = new JsonArray("prune"), "POST /api/v1/environments/{name}/plans: body.prune is now required"),
            ("a query parameter newly required", d => Parameter(d, "/api/v1/audit", "limit")["required"] = true, "GET /api/v1/audit: the parameter query:limit is now required"),
            ("a success response removed", d => d["paths"]!["/api/v1/environments/{name}/applies"]!["post"]!["responses"]!.AsObject().Remove("202"), "POST /api/v1/environments/{name}/applies: the 202 response was removed"),
        };
        foreach (var (change, make, expected) in cases)
        {
            var changed = copy.DeepClone().AsObject();
            make(changed);
            Assert.True(ContractDiff.Breaking(copy, changed).Contains(expected), $"{change}: expected \"{expected}\", found: {string.Join("; ", ContractDiff.Breaking(copy, changed))}");

            // With the major version changed, the same change is allowed (the test above compares majors).
            changed["info"]!["version"] = "2.0.0";
            Assert.NotEqual(ContractDiff.MajorVersion(copy), ContractDiff.MajorVersion(changed));
        }

        // Additions break nothing: a new path, a new optional input field, a new response field.
        var added = copy.DeepClone().AsObject();
        added["paths"]!["/api/v1/new"] = new JsonObject { ["get"] = new JsonObject { ["responses"] = new JsonObject() } };
        Schema(added, "PlanRequest")["properties"]!["dryRun"] = new JsonObject { ["type"] = "boolean" };
        Schema(added, "PlanDocument")["properties"]!["note"] = new JsonObject { ["type"] = "string" };
        Assert.Empty(ContractDiff.Breaking(copy, added));
    }

    /// <summary>The document as published: the test server's address replaced by the default one.</summary>
    private static JsonObject Published(JsonObject live)
    {
        var document = live.DeepClone().AsObject();
        document["servers"] = new JsonArray(new JsonObject { ["url"] = PublishedServer });
        return document;
    }

    private static string Text(JsonObject document) => document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    private static JsonObject Schema(JsonObject document, string name) => document["components"]!["schemas"]![name]!.AsObject();

    private static JsonObject Parameter(JsonObject document, string path, string name) =>
        document["paths"]![path]!["get"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == name)!.AsObject();
}
