using System.Diagnostics;
using System.Text.Json.Nodes;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// The live OpenAPI document as a client sees it: Redocly's linter (the npm package @redocly/cli, installed by
/// scripts/setup.sh --tests) finds no error in it, and every operation says who may call it, how it is named, what its
/// success returns and which problems it answers with.
/// </summary>
public sealed class OpenApiDocumentTests(OpenApiDocumentTests.Fixture world) : IClassFixture<OpenApiDocumentTests.Fixture>
{
    [Fact]
    public async Task Redocly_lint_reports_no_error()
    {
        var file = Path.Combine(world.Folder, "v1.json");
        await File.WriteAllTextAsync(file, world.Document.ToJsonString(), TestContext.Current.CancellationToken);
        var (exit, stdout, stderr) = await RunAsync("redocly", "lint", file, "--format=json", "--max-problems=10000");
        var report = JsonNode.Parse(stdout[stdout.IndexOf('{', StringComparison.Ordinal)..])!;
        var problems = report["problems"]!.AsArray();
        var errors = problems.Where(p => p!["severity"]!.GetValue<string>() == "error").Select(Describe).ToList();
        var warnings = problems.Where(p => p!["severity"]!.GetValue<string>() == "warn").Select(Describe).ToList();
        TestContext.Current.SendDiagnosticMessage($"redocly lint: {errors.Count} error(s), {warnings.Count} warning(s)\n{string.Join('\n', warnings)}");
        Assert.True(errors.Count == 0, $"redocly lint (exit {exit}) reports {errors.Count} error(s):\n{string.Join('\n', errors)}\n{stderr}");
        Assert.Equal(0, exit);
    }

    [Fact]
    public void Every_operation_has_an_id_a_described_success_and_its_problems_with_a_code()
    {
        var problems = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, operation) in Operations(world.Document))
        {
            if (operation["operationId"]?.GetValue<string>() is not { Length: > 0 } id || !ids.Add(id))
            {
                problems.Add($"{key}: no operationId, or one another operation has");
            }

            var responses = operation["responses"]!.AsObject();
            var successes = responses.Where(r => r.Key.StartsWith('2')).ToList();
            if (successes.Count == 0)
            {
                problems.Add($"{key}: no 2xx response");
            }

            foreach (var (status, response) in successes)
            {
                if (status != "204" && response!["content"]?.AsObject().Any(c => c.Value!["schema"] is not null) != true)
                {
                    problems.Add($"{key}: its {status} has no schema for its body");
                }
            }

            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                if (response!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>() != "#/components/schemas/ApiProblem")
                {
                    problems.Add($"{key}: its {status} is not an ApiProblem (application/problem+json)");
                }
            }

            var role = operation["x-ward-role"]!.GetValue<string>();
            var security = operation["security"]?.AsArray().Select(r => string.Join('+', r!.AsObject().Select(s => s.Key).Order(StringComparer.Ordinal))).ToList();
            var expected = role == "anonymous" ? [""]
                : operation["x-ward-scope"]!.GetValue<string>() == "session" || role == "signed-in" ? [Session(key)]
                : new List<string> { "bearerToken", Session(key) };
            if (security is null || !security.SequenceEqual(expected))
            {
                problems.Add($"{key}: security {(security is null ? "none" : string.Join(" or ", security))}, expected {string.Join(" or ", expected)}");
            }

            if (role != "anonymous" && !(responses.ContainsKey("401") && responses.ContainsKey("403")))
            {
                problems.Add($"{key}: needs a role but declares no 401 and 403");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        var problem = world.Document["components"]!["schemas"]!["ApiProblem"]!;
        Assert.Contains("code", problem["required"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public void Without_a_public_url_the_server_url_is_the_address_it_listens_on()
    {
        // RequestLimitTests holds that Ward:PublicUrl wins and that the Host header never counts.
        Assert.Equal([world.Host.Url], world.Document["servers"]!.AsArray().Select(s => s!["url"]!.GetValue<string>()));
    }

    /// <summary>A session's requirement: with the CSRF header when the operation changes something.</summary>
    private static string Session(string key) => key.StartsWith("GET ", StringComparison.Ordinal) ? "sessionCookie" : "csrfHeader+sessionCookie";

    internal static IEnumerable<(string Key, JsonObject Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(o => o.Key is "get" or "put" or "post" or "delete" or "patch")
            .Select(o => ($"{o.Key.ToUpperInvariant()} {path.Key}", o.Value!.AsObject())));

    private static string Describe(JsonNode? problem) =>
        $"{problem!["ruleId"]}: {problem["message"]} at {string.Join(", ", problem["location"]!.AsArray().Select(l => l!["pointer"]?.GetValue<string>()))}";

    internal static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Redocly would otherwise ask its servers for news and send usage figures.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start (run scripts/setup.sh --tests)");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>One server and its document.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal WardHost Host { get; private set; } = null!;

        internal JsonObject Document { get; private set; } = null!;

        internal string Folder { get; } = Directory.CreateTempSubdirectory("ward-openapi-").FullName;

        public async ValueTask InitializeAsync()
        {
            Host = await WardHost.StartAsync();
            Document = (JsonObject)(await Host.Anonymous().GetAsync("/openapi/v1.json").Expect(200)).Json!;
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            Directory.Delete(Folder, recursive: true);
        }
    }
}
