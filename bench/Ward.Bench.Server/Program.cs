using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ward.Server.Auth;

// Issue 5's load target: wrk against the environment-status endpoint with an API token, SQLite store, on this
// machine (wrk shares its 2 cores): >= 10,000 requests/s with p99 <= 15 ms; and the server's memory after start
// <= 150 MB. The server runs as its own process (./ward serve), exactly as users run it.
var root = FindRoot();
var port = 18000 + Random.Shared.Next(1000);
var data = Directory.CreateTempSubdirectory("ward-bench-").FullName;
var duration = args.SkipWhile(a => a != "--seconds").Skip(1).Select(int.Parse).FirstOrDefault(20);
var baseUrl = $"http://127.0.0.1:{port}";
Console.WriteLine($"server: ./ward serve --urls {baseUrl} --data {data}");

using var server = Process.Start(new ProcessStartInfo(Path.Combine(root, "ward"), ["serve", "--urls", baseUrl, "--data", data])
{
    RedirectStandardError = true,
    RedirectStandardOutput = true,
    Environment = { ["WARD_SERVER_Ward__SecureCookies"] = "false", ["Logging__LogLevel__Default"] = "Warning" },
})!;
var log = new System.Text.StringBuilder();
server.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
server.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
try
{
    using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    var started = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            if ((await http.GetAsync("/api/v1/health")).IsSuccessStatusCode)
            {
                break;
            }
        }
        catch (HttpRequestException) when (started.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(500);
        }
    }

    Console.WriteLine($"server answered after {started.Elapsed.TotalSeconds:0.0} s (includes building ./ward when sources changed)");
    await Task.Delay(2000);
    var memoryAfterStart = ResidentMegabytes(server.Id);

    // The first owner, a session, two-factor, a token and an environment, all through the API.
    string code;
    lock (log)
    {
        code = Regex.Match(log.ToString(), "setup code: ([A-Z0-9-]+)").Groups[1].Value;
    }

    var cookies = new System.Net.CookieContainer();
    using var session = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(baseUrl) };
    (await session.PostAsJsonAsync("/api/v1/setup", new { code, userName = "bench", password = "a long bench password" })).EnsureSuccessStatusCode();
    (await session.PostAsJsonAsync("/api/v1/session", new { userName = "bench", password = "a long bench password" })).EnsureSuccessStatusCode();
    var csrf = (await session.GetFromJsonAsync<JsonElement>("/api/v1/session")).GetProperty("csrfToken").GetString()!;
    session.DefaultRequestHeaders.Add("X-Ward-Csrf", csrf);
    var totp = await (await session.PostAsync("/api/v1/session/totp", null)).Content.ReadFromJsonAsync<JsonElement>();
    (await session.PostAsJsonAsync("/api/v1/session/totp/confirm", new { code = Totp.Code(totp.GetProperty("secret").GetString()!, DateTimeOffset.UtcNow) })).EnsureSuccessStatusCode();
    csrf = (await session.GetFromJsonAsync<JsonElement>("/api/v1/session")).GetProperty("csrfToken").GetString()!;
    session.DefaultRequestHeaders.Remove("X-Ward-Csrf");
    session.DefaultRequestHeaders.Add("X-Ward-Csrf", csrf);
    var token = (await (await session.PostAsJsonAsync("/api/v1/tokens", new { name = "bench", role = "viewer", expiresInDays = 1 })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    var content = File.ReadAllText(Path.Combine(root, "examples", "staging.yaml"));
    (await session.PostAsJsonAsync("/api/v1/environments", new { fileName = "staging.yaml", content })).EnsureSuccessStatusCode();
    http.DefaultRequestHeaders.Authorization = new("Bearer", token);
    var sample = await http.GetStringAsync("/api/v1/environments/clinic-staging/status");
    Console.WriteLine($"status document: {sample.Length} bytes; verdict {JsonDocument.Parse(sample).RootElement.GetProperty("verdict")}");

    // wrk: 2 threads, 64 connections, the token in a header; --latency prints the percentiles.
    var wrk = Process.Start(new ProcessStartInfo("wrk", ["-t2", "-c64", $"-d{duration}s", "--latency", "-H", $"Authorization: Bearer {token}", $"{baseUrl}/api/v1/environments/clinic-staging/status"])
    {
        RedirectStandardOutput = true,
    })!;
    var output = await wrk.StandardOutput.ReadToEndAsync();
    await wrk.WaitForExitAsync();
    Console.WriteLine(output.TrimEnd());

    var rate = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
    var p99 = Milliseconds(Regex.Match(output, @"99%\s+([\d.]+\w+)").Groups[1].Value);
    var errors = Regex.Match(output, @"Non-2xx or 3xx responses: (\d+)") is { Success: true } m ? m.Groups[1].Value : "0";
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests/s: {rate:0}; target >= 10000: {(rate >= 10_000 ? "met" : "NOT met")}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p99 latency: {p99:0.00} ms; target <= 15 ms: {(p99 <= 15 ? "met" : "NOT met")}"));
    Console.WriteLine($"non-2xx responses: {errors}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"server memory after start (RSS): {memoryAfterStart:0} MB; target <= 150 MB: {(memoryAfterStart <= 150 ? "met" : "NOT met")}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"server memory after the load (RSS): {ResidentMegabytes(server.Id):0} MB"));
    return 0;
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
    Directory.Delete(data, recursive: true);
}

static double ResidentMegabytes(int pid)
{
    // The ward launcher execs dotnet, so the pid is the server's own process.
    var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
}

static double Milliseconds(string text) => text switch
{
    _ when text.EndsWith("us", StringComparison.Ordinal) => double.Parse(text[..^2], CultureInfo.InvariantCulture) / 1000,
    _ when text.EndsWith("ms", StringComparison.Ordinal) => double.Parse(text[..^2], CultureInfo.InvariantCulture),
    _ when text.EndsWith('s') => double.Parse(text[..^1], CultureInfo.InvariantCulture) * 1000,
    _ => double.NaN,
};

static string FindRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Ward.slnx")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Ward.slnx not found");
}
