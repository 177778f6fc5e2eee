using System.Net;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Ward.Api.Client;
using Ward.Api.Client.Models;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// A team's first day through the client Kiota generates from the published document (the build generates it: see the
/// project file), with typed models only: the first owner signs in and enrols a second factor, makes a token, and the
/// token registers an environment, reads its findings, plans, applies and follows the operation to its end, reads the
/// status and exports the audit log, which names who did what. Errors arrive as typed problems with their code.
/// </summary>
public sealed class ApiClientStoryTests
{
    [Fact]
    public async Task The_generated_client_drives_a_whole_story_with_typed_models()
    {
        var swarm = new FakeSwarm();
        await using var host = await WardHost.StartAsync(new HostOptions { Engine = swarm });
        var csrf = new CsrfHeader();
        using var console = Client(host.Url, new SocketsHttpHandler { CookieContainer = new CookieContainer() }, csrf, out var session);

        // The first owner, with the code from the server's log; then a sign-in that must enrol a second factor.
        Assert.True((await session.Api.V1.Setup.GetAsync(cancellationToken: Cancel))!.Needed);
        var owner = await session.Api.V1.Setup.PostAsync(new SetupRequest { Code = host.SetupCode, UserName = "owner", Password = WardHost.Password }, cancellationToken: Cancel);
        Assert.Equal("owner", owner!.User);
        var signedIn = await session.Api.V1.Session.PostAsync(new SignInRequest { UserName = "owner", Password = WardHost.Password }, cancellationToken: Cancel);
        Assert.Equal("enroll", signedIn!.Stage);
        csrf.Token = (await session.Api.V1.Session.GetAsync(cancellationToken: Cancel))!.CsrfToken;
        var enrolment = await session.Api.V1.Session.Totp.PostAsync(new TotpStartRequest(), cancellationToken: Cancel);
        var enrolled = await session.Api.V1.Session.Totp.Confirm.PostAsync(new TotpConfirmRequest { Code = await host.NextCodeAsync(enrolment!.Secret!) }, cancellationToken: Cancel);
        Assert.True(enrolled!.TwoFactor);
        Assert.NotEmpty(enrolled.RecoveryCodes!);
        var current = await session.Api.V1.Session.GetAsync(cancellationToken: Cancel);
        Assert.Equal(("owner", "owner"), (current!.User, current.Role));
        csrf.Token = current.CsrfToken;

        // A token for the pipeline: from here on, no cookie.
        var token = await session.Api.V1.Tokens.PostAsync(new CreateTokenRequest { Name = "pipeline", Role = "admin", ExpiresInDays = 7 }, cancellationToken: Cancel);
        Assert.Equal("admin", token!.Role);
        var bearer = new HttpClientHandler();
        using var pipeline = Client(host.Url, bearer, null, out var api);
        pipeline.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Token);

        var registered = await api.Api.V1.Environments.PostAsync(new RegisterRequest { FileName = "environment.yaml", Content = Environments.File("story") }, cancellationToken: Cancel);
        Assert.Equal(("story", "staging"), (registered!.Name, registered.Kind));
        var environment = api.Api.V1.Environments["story"];
        var findings = await environment.Findings.GetAsync(cancellationToken: Cancel);
        Assert.Equal(("story", "staging"), (findings!.Environment, findings.Profile));
        Assert.Equal(findings.Findings!.Count(f => f.Severity == "error" && f.Waived != true), findings.Summary!.Errors);
        Assert.All(findings.Findings!, f => Assert.False(string.IsNullOrEmpty(f.Rule)));
        var secret = await environment.Secrets["token"].PutAsync(new SetSecretRequest { Value = "story-secret" }, cancellationToken: Cancel);
        Assert.Equal("token", secret!.Key);

        var plan = await environment.Plans.PostAsync(new PlanRequest(), cancellationToken: Cancel);
        Assert.True(plan!.HasChanges);
        Assert.Contains(plan.Steps!, s => s.Change == "create" && s.Target == "service" && s.Name == "story_web");
        Assert.Equal(plan.Steps!.Count(s => s.Change == "create"), plan.Summary!.Create);

        var started = await environment.Applies.PostAsync(new ApplyRequest(), cancellationToken: Cancel);
        // The answer comes at once; over the fake swarm the apply may have ended by then.
        Assert.Equal(("story", $"/api/v1/operations/{started!.Id}/events"), (started.Environment, started.Events));
        Assert.Contains(started.State, (string[])["running", "failed", "succeeded"]);
        var operation = await FinishedAsync(api, started.Id!.Value);
        Assert.Equal("story", operation.Environment);
        Assert.Equal("result", operation.Events![^1].Type);
        Assert.Contains(operation.Events!, e => e.Type == "plan");
        Assert.Equal(operation.Events!.Select(e => e.Sequence).Order(), operation.Events!.Select(e => e.Sequence));
        Assert.Equal(operation.Id, (await environment.Operations.GetAsync(cancellationToken: Cancel))!.Single().Id);

        var status = await environment.Status.GetAsync(cancellationToken: Cancel);
        Assert.Equal("story", status!.Environment);
        Assert.False(string.IsNullOrEmpty(status.Verdict));

        // Errors are typed: the problem's code and status, as the document declares them.
        var missing = await Assert.ThrowsAsync<ApiProblem>(() => api.Api.V1.Environments["nowhere"].GetAsync(cancellationToken: Cancel));
        Assert.Equal(("environment_not_found", 404), (missing.Code, missing.Status));

        var audit = await api.Api.V1.Audit.Export.GetAsync(c => c.QueryParameters.Format = "json", cancellationToken: Cancel);
        var applied = Assert.Single(audit!, e => e.Action == "apply-started");
        Assert.Equal("environment story", applied.Target);
        Assert.StartsWith("owner", applied.Actor, StringComparison.Ordinal);
        Assert.Contains(audit!, e => e.Action == "apply-finished" && e.After!.Contains(started.Id.Value.ToString(), StringComparison.Ordinal));
        Assert.True((await api.Api.V1.Audit.Verify.GetAsync(cancellationToken: Cancel))!.Intact);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Polls the operation, as a client without server-sent events does, until it ends.</summary>
    private static async Task<OperationDetail> FinishedAsync(WardClient api, Guid id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var operation = (await api.Api.V1.Operations[id].GetAsync(cancellationToken: Cancel))!;
            if (operation.State != "running")
            {
                return operation;
            }

            Assert.True(DateTime.UtcNow < deadline, $"operation {id} still running after 30 s");
            await Task.Delay(100, Cancel);
        }
    }

    private static HttpClient Client(string url, HttpMessageHandler inner, CsrfHeader? csrf, out WardClient client)
    {
        var http = new HttpClient(csrf is null ? inner : new CsrfHandler(csrf, inner)) { BaseAddress = new Uri(url) };
        client = new WardClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = url });
        return http;
    }

    /// <summary>The console session's CSRF token, as the last GET /api/v1/session gave it.</summary>
    private sealed class CsrfHeader
    {
        public string? Token { get; set; }
    }

    /// <summary>Sends the CSRF token with every request that changes something, as the console does.</summary>
    private sealed class CsrfHandler(CsrfHeader csrf, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Get && csrf.Token is { } token)
            {
                request.Headers.Add(WardServer.CsrfHeader, token);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
