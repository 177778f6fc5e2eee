using System.Text;
using System.Text.Json;
using Json.Schema;
using Ward.Model.Diagnostics;
using Ward.Rules.Reports;

namespace Ward.Rules.Tests;

/// <summary>The JSON contract, SARIF 2.1.0 validated against a schema written from the specification, and no secret in any report.</summary>
public sealed class ReportTests
{
    private static readonly JsonSchema Sarif = JsonSchema.FromFile(Repository.Tests("Schemas", "sarif-2.1.0-subset.schema.json"));

    private static readonly EvaluationOptions Strict = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    // production-broken with two waivers (one used, one unused) and an expired one: every kind of result Ward writes.
    private const string Waived = """
        version: "3.9"
        x-ward:
          environment: { name: reports, kind: production }
          nodes:
            - { name: manager-1, role: manager, size: medium, address: 203.0.113.10 }
            - { name: worker-1, role: worker, size: large }
            - { name: worker-2, role: worker, size: large }
          waivers:
            - { rule: REL-001, target: services.worker, reason: "a single consumer by design" }
            - { rule: IMG-004, target: services.nothing, reason: "stale" }
            - { rule: NET-001, target: services, reason: "IPsec costs too much", expires: 2026-01-01 }
        services:
          worker:
            image: registry.example.org/clinic/worker:latest
            restart: always
        """;

    public static TheoryData<string> ReportCases() => ["production", "production-broken", "staging", "waived", "unreadable", "bad-env-file"];

    private static ReportInput Input(string name) => name switch
    {
        "waived" => WardCheck.RunText(Waived).Report,
        "unreadable" => WardCheck.Run(Samples.PathOf("CMP-003", "fail.yaml")).Report,
        "bad-env-file" => BadEnvFile(),
        _ => WardCheck.Run(Repository.PathOf("examples", name + ".yaml")).Report,
    };

    /// <summary>An env file the reader refuses: the finding is located in the env file, not in the environment file.</summary>
    private static ReportInput BadEnvFile()
    {
        var directory = Directory.CreateTempSubdirectory("ward-rules-tests-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "app.env"), "LOG_LEVEL=info\n=no-name\n");
            File.WriteAllText(Path.Combine(directory.FullName, "environment.yaml"), "version: \"3.9\"\nservices:\n  api:\n    image: registry.example.org/clinic/api:1.4.2\n    env_file: [ app.env ]\n");
            var report = WardCheck.Run(Path.Combine(directory.FullName, "environment.yaml")).Report;
            Assert.False(report.Readable);
            Assert.Contains(report.Result.Findings, f => f.Location?.File == "app.env");
            return report;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static JsonDocument Json(ReportInput input, Action<Stream, ReportInput> write)
    {
        using var stream = new MemoryStream();
        write(stream, input);
        return JsonDocument.Parse(stream.ToArray());
    }

    [Theory]
    [MemberData(nameof(ReportCases))]
    public void The_json_report_has_every_field_of_the_contract_and_true_counts(string name)
    {
        var input = Input(name);
        using var json = Json(input, JsonReport.Write);
        var findings = json.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.Equal(input.Result.Findings.Count, findings.Count);
        foreach (var finding in findings)
        {
            Assert.Equal(JsonValueKind.String, finding.GetProperty("rule").ValueKind);
            Assert.Contains(finding.GetProperty("severity").GetString(), new[] { "error", "warning", "info" });
            Assert.Equal(JsonValueKind.String, finding.GetProperty("path").ValueKind);
            Assert.False(string.IsNullOrEmpty(finding.GetProperty("message").GetString()));
            Assert.False(string.IsNullOrEmpty(finding.GetProperty("file").GetString()));
            Assert.Contains(finding.GetProperty("line").ValueKind, new[] { JsonValueKind.Number, JsonValueKind.Null });
            Assert.Contains(finding.GetProperty("column").ValueKind, new[] { JsonValueKind.Number, JsonValueKind.Null });
            Assert.Contains(finding.GetProperty("waived").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        }

        var open = findings.Where(f => !f.GetProperty("waived").GetBoolean()).ToList();
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal(open.Count(f => f.GetProperty("severity").GetString() == "error"), summary.GetProperty("errors").GetInt32());
        Assert.Equal(open.Count(f => f.GetProperty("severity").GetString() == "warning"), summary.GetProperty("warnings").GetInt32());
        Assert.Equal(open.Count(f => f.GetProperty("severity").GetString() == "info"), summary.GetProperty("info").GetInt32());
        Assert.Equal(findings.Count - open.Count, summary.GetProperty("waived").GetInt32());
        Assert.Equal(input.Result.Summary, new CheckSummary(
            summary.GetProperty("errors").GetInt32(),
            summary.GetProperty("warnings").GetInt32(),
            summary.GetProperty("info").GetInt32(),
            summary.GetProperty("waived").GetInt32()));
    }

    [Fact]
    public void The_json_report_of_a_waived_finding_carries_the_reason_and_is_not_counted()
    {
        using var json = Json(Input("waived"), JsonReport.Write);
        var waived = Assert.Single(json.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("waived").GetBoolean());
        Assert.Equal("REL-001", waived.GetProperty("rule").GetString());
        Assert.Equal("a single consumer by design", waived.GetProperty("waiverReason").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("summary").GetProperty("waived").GetInt32());
    }

    [Fact]
    public void The_json_report_counts_the_broken_example()
    {
        var input = Input("production-broken");
        using var json = Json(input, JsonReport.Write);
        var summary = json.RootElement.GetProperty("summary");
        Assert.True(summary.GetProperty("errors").GetInt32() >= 14);
        Assert.Equal(input.Result.Findings.Count(f => f.Severity == Severity.Warning), summary.GetProperty("warnings").GetInt32());
        Assert.Equal(["DNS-001", "IMG-002", "TLS-001"], json.RootElement.GetProperty("notChecked").EnumerateArray().Select(n => n.GetProperty("rule").GetString()));
    }

    [Theory]
    [MemberData(nameof(ReportCases))]
    public void The_sarif_report_is_valid_sarif_2_1_0(string name)
    {
        var input = Input(name);
        using var sarif = Json(input, SarifReport.Write);
        AssertValid(sarif.RootElement);

        var run = Assert.Single(sarif.RootElement.GetProperty("runs").EnumerateArray());
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(input.Result.Findings.Count, results.Count);
        var expectedLevels = input.Result.Findings.Select(f => f.Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "note" });
        Assert.Equal(expectedLevels, results.Select(r => r.GetProperty("level").GetString()));
        Assert.Equal(input.Result.Findings.Count(f => f.Waived), results.Count(r => r.TryGetProperty("suppressions", out _)));

        // An artifact index must name the artifact whose URI the location gives (SARIF 3.4.5).
        var artifacts = run.GetProperty("artifacts").EnumerateArray().Select(a => a.GetProperty("location").GetProperty("uri").GetString()).ToList();
        foreach (var artifact in results.Select(r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation")))
        {
            if (artifact.TryGetProperty("index", out var index))
            {
                Assert.Equal(artifacts[index.GetInt32()], artifact.GetProperty("uri").GetString());
            }
        }

        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(RuleCatalog.All.Select(r => r.Descriptor.Id), rules);
        foreach (var result in results.Where(r => r.TryGetProperty("ruleIndex", out _)))
        {
            Assert.Equal(result.GetProperty("ruleId").GetString(), rules[result.GetProperty("ruleIndex").GetInt32()]);
        }
    }

    [Fact]
    public void A_waived_finding_is_an_accepted_in_source_suppression_with_the_reason()
    {
        using var sarif = Json(Input("waived"), SarifReport.Write);
        var result = Assert.Single(sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray(), r => r.TryGetProperty("suppressions", out _));
        var suppression = Assert.Single(result.GetProperty("suppressions").EnumerateArray());
        Assert.Equal(("inSource", "accepted", "a single consumer by design"), (suppression.GetProperty("kind").GetString(), suppression.GetProperty("status").GetString(), suppression.GetProperty("justification").GetString()));
    }

    [Theory]
    [InlineData("level", "\"fatal\"")]
    [InlineData("startLine", "0")]
    [InlineData("kind", "\"inComment\"")]
    [InlineData("ruleIndex", "-2")]
    [InlineData("misspelt", "1")]
    public void The_schema_refuses_what_sarif_does_not_allow(string member, string value)
    {
        using var sarif = Json(Input("waived"), SarifReport.Write);
        var text = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(sarif.RootElement));
        var broken = member switch
        {
            "level" => ReplaceFirst(text, "\"level\":\"error\"", $"\"level\":{value}", after: "\"results\""),
            "startLine" => ReplaceFirst(text, "\"startLine\":", $"\"startLine\":{value},\"x\":", after: "\"results\"").Replace(",\"x\":", ",\"endLine\":", StringComparison.Ordinal),
            "kind" => ReplaceFirst(text, "\"kind\":\"inSource\"", $"\"kind\":{value}", after: "\"suppressions\""),
            "ruleIndex" => ReplaceFirst(text, "\"ruleIndex\":", $"\"ruleIndex\":{value},\"y\":", after: "\"results\"").Replace(",\"y\":", ",\"rank\":", StringComparison.Ordinal),
            _ => ReplaceFirst(text, "\"ruleId\":", $"\"{member}\":{value},\"ruleId\":", after: "\"results\""),
        };
        Assert.NotEqual(text, broken);
        using var document = JsonDocument.Parse(broken);
        Assert.False(Sarif.Evaluate(document.RootElement, Strict).IsValid, $"the schema accepted {member}: {value}");
    }

    [Fact]
    public void A_secret_value_appears_in_no_report()
    {
        const string secret = "some-unique-value-7f3a9c";
        var input = WardCheck.RunText($$"""
            version: "3.9"
            x-ward:
              environment: { name: secrets, kind: production }
            services:
              api:
                image: registry.example.org/clinic/api:1.4.2
                environment:
                  DB_PASSWORD: {{secret}}
                  API_TOKEN: "{{secret}}"
            """).Report;
        Assert.Contains(input.Result.Findings, f => f.Rule == "SEC-001" && f.Path == "services.api.environment.DB_PASSWORD");

        var text = new StringWriter();
        new TextReport(text, color: false) { Verbose = true }.Write(input);
        var brief = new StringWriter();
        new TextReport(brief, color: true) { Verbose = false }.Write(input);
        using var json = new MemoryStream();
        JsonReport.Write(json, input);
        using var sarif = new MemoryStream();
        SarifReport.Write(sarif, input);

        foreach (var (format, output) in new[] { ("text", text.ToString()), ("brief text", brief.ToString()), ("json", Encoding.UTF8.GetString(json.ToArray())), ("sarif", Encoding.UTF8.GetString(sarif.ToArray())) })
        {
            Assert.True(output.Length > 0, $"the {format} report is empty");
            Assert.False(output.Contains(secret, StringComparison.Ordinal), $"the {format} report shows the secret value");
        }
    }

    private static void AssertValid(JsonElement sarif)
    {
        var result = Sarif.Evaluate(sarif, Strict);
        var errors = (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(result.IsValid, string.Join("\n", errors));
    }

    private static string ReplaceFirst(string text, string find, string replacement, string after)
    {
        var start = text.IndexOf(after, StringComparison.Ordinal);
        var at = start < 0 ? -1 : text.IndexOf(find, start, StringComparison.Ordinal);
        return at < 0 ? text : string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + find.Length));
    }
}
