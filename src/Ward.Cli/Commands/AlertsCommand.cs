using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Ward.Cli.Commands;

/// <summary>
/// <c>ward alerts</c>: what is firing, silences and acknowledgements. Alerts live in the server that watches the swarm
/// (ward serve), so this is a thin client of its API: --server or WARD_SERVER, and an API token in WARD_TOKEN.
/// </summary>
internal static class AlertsCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "The Ward server (default WARD_SERVER, else http://127.0.0.1:8080); the API token is read from WARD_TOKEN.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("WARD_SERVER") is { Length: > 0 } url ? url : "http://127.0.0.1:8080", Recursive = true };
        var environment = new Argument<string>("ENV") { Description = "The environment's name." };
        var format = CommonOptions.Format("text", "json");
        var command = new Command("alerts", "List an environment's alerts: rule, subject, since when, silenced or acknowledged. Exit 0 none firing; 1 some firing; 2 bad input; 69 no server.")
        {
            environment, format, server,
        };
        command.SetAction((parse, token) => RunAsync(parse.GetValue(server)!, async client =>
        {
            var answer = await client.GetFromJsonAsync<JsonObject>($"environments/{Uri.EscapeDataString(parse.GetValue(environment)!)}/alerts", token);
            var alerts = answer!["alerts"]!.AsArray();
            if (parse.GetValue(format) == "json")
            {
                Console.Out.WriteLine(answer.ToJsonString());
            }
            else
            {
                Print(parse.GetValue(environment)!, alerts);
            }

            return alerts.Any(a => a!["state"]!.GetValue<string>() == "firing") ? ExitCodes.Failed : ExitCodes.Ok;
        }));

        var rule = new Argument<string>("RULE") { Description = "The rule, as ward alerts names it (node-down, ...)." };
        var subject = new Argument<string>("SUBJECT") { Description = "What it is about, as ward alerts names it (a node, a service)." };
        var length = new Option<string>("--for") { Description = "How long: 30m, 2h (1 minute to 7 days).", DefaultValueFactory = _ => "1h", HelpName = "DURATION" };
        var silenceEnvironment = new Argument<string>("ENV") { Description = "The environment's name." };
        var silence = new Command("silence", "No notices for one alert for a while (recorded in the audit log).") { silenceEnvironment, rule, subject, length };
        silence.SetAction((parse, token) => RunAsync(parse.GetValue(server)!, async client =>
        {
            if (!Model.Compose.GoDuration.TryParse(parse.GetValue(length)!, out var duration))
            {
                Console.Error.WriteLine($"ward: --for {parse.GetValue(length)} is not a duration; write e.g. 30m or 2h");
                return ExitCodes.InvalidInput;
            }

            var answer = await SendAsync(client, $"environments/{Uri.EscapeDataString(parse.GetValue(silenceEnvironment)!)}/alerts/silences", new { rule = parse.GetValue(rule), subject = parse.GetValue(subject), minutes = (int)Math.Ceiling(duration.TotalMinutes) }, token);
            Console.Out.WriteLine($"silenced {parse.GetValue(rule)} {parse.GetValue(subject)} until {answer?["until"]?.GetValue<DateTimeOffset>().UtcDateTime:yyyy-MM-dd HH:mm} UTC");
            return ExitCodes.Ok;
        }));
        var ackEnvironment = new Argument<string>("ENV") { Description = "The environment's name." };
        var ackRule = new Argument<string>("RULE") { Description = "The rule." };
        var ackSubject = new Argument<string>("SUBJECT") { Description = "What it is about." };
        var ack = new Command("ack", "Mark a firing alert as taken care of, by you (recorded in the audit log).") { ackEnvironment, ackRule, ackSubject };
        ack.SetAction((parse, token) => RunAsync(parse.GetValue(server)!, async client =>
        {
            await SendAsync(client, $"environments/{Uri.EscapeDataString(parse.GetValue(ackEnvironment)!)}/alerts/acknowledgements", new { rule = parse.GetValue(ackRule), subject = parse.GetValue(ackSubject) }, token);
            Console.Out.WriteLine($"acknowledged {parse.GetValue(ackRule)} {parse.GetValue(ackSubject)}");
            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(silence);
        command.Subcommands.Add(ack);
        return command;
    }

    private static void Print(string environment, JsonArray alerts)
    {
        if (alerts.Count == 0)
        {
            Console.Out.WriteLine($"{environment}: no alerts");
            return;
        }

        Console.Out.WriteLine($"{"STATE",-8} {"RULE",-18} {"SUBJECT",-24} {"SINCE (UTC)",-20} NOTE");
        foreach (var alert in alerts)
        {
            var since = (alert!["firingSince"] ?? alert["since"])!.GetValue<DateTimeOffset>().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var notes = new List<string> { alert["detail"]!.GetValue<string>() };
            if (alert["silencedUntil"] is { } until)
            {
                notes.Add($"silenced until {until.GetValue<DateTimeOffset>().UtcDateTime:HH:mm}");
            }

            if (alert["acknowledgedBy"] is { } who)
            {
                notes.Add($"acknowledged by {who.GetValue<string>()}");
            }

            Console.Out.WriteLine($"{alert["state"]!.GetValue<string>(),-8} {alert["rule"]!.GetValue<string>(),-18} {alert["subject"]!.GetValue<string>(),-24} {since,-20} {string.Join("; ", notes)}");
        }
    }

    private static async Task<JsonObject?> SendAsync(HttpClient client, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync(path, body, cancellationToken);
        return response.Content.Headers.ContentLength == 0 ? null : await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
    }

    /// <summary>Runs a request against the server; its refusals (problem details) become the exit codes the other commands use.</summary>
    private static async Task<int> RunAsync(string server, Func<HttpClient, Task<int>> request)
    {
        if (Environment.GetEnvironmentVariable("WARD_TOKEN") is not { Length: > 0 } apiToken)
        {
            Console.Error.WriteLine("ward: set WARD_TOKEN to an API token of the server (the console's API tokens page makes one)");
            return ExitCodes.InvalidInput;
        }

        if (!Uri.TryCreate(server.TrimEnd('/') + "/api/v1/", UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"ward: --server {server} is not an http:// or https:// URL");
            return ExitCodes.InvalidInput;
        }

        using var client = new HttpClient(new ProblemHandler()) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiToken);
        try
        {
            return await request(client);
        }
        catch (HttpRequestException e) when (e.StatusCode is { } status)
        {
            Console.Error.WriteLine($"ward: the server refused: {e.Message}");
            return status is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.BadRequest ? ExitCodes.InvalidInput : ExitCodes.Failed;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"ward: the server at {server} could not be reached: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (TaskCanceledException)
        {
            Console.Error.WriteLine($"ward: the server at {server} did not answer within {client.Timeout.TotalSeconds:0} s");
            return ExitCodes.Unavailable;
        }
    }

    /// <summary>Turns a refusal into an exception with its status that carries the server's own explanation (its problem detail).</summary>
    private sealed class ProblemHandler() : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var detail = (JsonNode.Parse(text.Length == 0 ? "{}" : text) as JsonObject)?["detail"]?.GetValue<string>() ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
            var status = response.StatusCode;
            response.Dispose();
            throw new HttpRequestException(detail, null, status);
        }
    }
}
