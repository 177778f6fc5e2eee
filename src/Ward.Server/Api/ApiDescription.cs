using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Ward.Server.Api.Models;
using Ward.Server.Auth;

namespace Ward.Server.Api;

/// <summary>
/// How the API describes itself in its OpenAPI document (/openapi/v1.json): each endpoint declares its name
/// (<c>.WithName</c>, the operationId), its success (<c>.Produces&lt;T&gt;</c>) and the problems only it answers with
/// (<see cref="Fails"/>); what every endpoint of a kind can answer (a bad request, unauthenticated, forbidden, a body too
/// large, ...) is added here from its metadata, and so is who may call it (the security schemes and x-ward-role).
/// </summary>
public static class ApiDescription
{
    /// <summary>
    /// The API's version: the document's info.version. Its major number changes with a change that breaks clients (a
    /// removed path, operation or field, a changed type, a newly required input); the contract test holds it to that.
    /// </summary>
    public const string Version = "1.0.0";

    public const string ProblemContentType = "application/problem+json";

    public const string BearerScheme = "bearerToken";

    public const string SessionScheme = "sessionCookie";

    public const string CsrfScheme = "csrfHeader";

    /// <summary>The groups of operations (an endpoint's WithTags names one).</summary>
    private static readonly Dictionary<string, string> Tags = new(StringComparer.Ordinal)
    {
        ["Server"] = "Whether the server answers.",
        ["Session"] = "First-run setup, signing in and out, two-factor enrolment, and the CSRF token of the console.",
        ["Environments"] = "Environments from their files: readiness findings, plans, applies, operations, status and capacity.",
        ["Operations"] = "Long-running work (applies; databases' backups, restores and rehearsals): poll one, or follow its events.",
        ["Secrets"] = "An environment's secrets: write-only values, versioned.",
        ["Databases"] = "An environment's databases (x-ward.databases): their tier measured, backups and restore points, point-in-time restores and migration rehearsals.",
        ["Domains"] = "An environment's domains: DNS as Ward has seen it, and how the load balancer serves them.",
        ["Nodes"] = "The swarm's nodes: availability, role and labels.",
        ["Users"] = "People and their roles, globally or per environment.",
        ["Tokens"] = "Your API tokens: scoped to a role and optionally one environment, expiring.",
        ["Audit"] = "The hash-chained audit log: read, export, verify.",
    };

    /// <summary>The problems this endpoint answers with beyond those every endpoint of its kind can (<see cref="DescribeCommonProblems"/>).</summary>
    public static RouteHandlerBuilder Fails(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Produces<ApiProblem>(status, ProblemContentType);
        }

        return builder;
    }

    /// <summary>Declares, on every endpoint of the group, the problems that endpoints of its kind can answer with.</summary>
    public static RouteGroupBuilder DescribeCommonProblems(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            var declared = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
            foreach (var status in CommonProblems(endpoint.Metadata).Where(s => !declared.Contains(s)))
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ApiProblem), [ProblemContentType]));
            }
        });
        return group;
    }

    /// <summary>
    /// Every request can be refused as a bad request (an address with dot segments, a query value out of its rules) and
    /// can fail inside (500); an endpoint with a role refuses whoever is not signed in or lacks it (a console session's
    /// unsafe request without its CSRF header is a 403 too); one with a body refuses one too large or not JSON; the
    /// rate-limited sign-in refuses too many attempts.
    /// </summary>
    private static IEnumerable<int> CommonProblems(IList<object> metadata)
    {
        yield return StatusCodes.Status400BadRequest;
        if (metadata.OfType<RequiredRole>().Any())
        {
            yield return StatusCodes.Status401Unauthorized;
            yield return StatusCodes.Status403Forbidden;
        }

        if (metadata.OfType<IAcceptsMetadata>().Any())
        {
            yield return StatusCodes.Status413PayloadTooLarge;
            yield return StatusCodes.Status415UnsupportedMediaType;
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            yield return StatusCodes.Status429TooManyRequests;
        }

        yield return StatusCodes.Status500InternalServerError;
    }

    /// <summary>The document's settings: its header (version, servers, security schemes) and each operation's access.</summary>
    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, context, _) =>
        {
            document.Info.Title = "Ward API";
            document.Info.Version = Version;
            document.Info.Description = "The control plane's API: environments, findings, plans, applies and the databases' backups, restores and rehearsals (operations), status, databases, secrets, nodes, users, tokens and the audit log. Errors are application/problem+json with a stable code; docs/api.md tells how to sign in, follow an operation and what each code means.";
            document.Servers = [new OpenApiServer { Url = ServerUrl(context.ApplicationServices) }];
            document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API token (POST /api/v1/tokens), as Authorization: Bearer TOKEN. Scoped to a role and optionally one environment.",
                },
                [SessionScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Cookie,
                    Name = "ward.session",
                    Description = "The console's session, from POST /api/v1/session (with a second factor for owners and admins).",
                },
                [CsrfScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = WardServer.CsrfHeader,
                    Description = "With a session, every request that changes something carries the csrfToken of GET /api/v1/session in this header.",
                },
            };
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            // The server reads numbers only as numbers in practice; "integer or string with a pattern" (the web defaults'
            // AllowReadingFromString) would make every generated client treat each number as a union.
            if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String) && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
            {
                schema.Type = type & ~JsonSchemaType.String;
                schema.Pattern = null;
            }

            // A request body's required fields are those the server refuses it without (RequestChecks): its other fields
            // have defaults.
            if (context.JsonPropertyInfo is null && RequestChecks.IsRequestBody(context.JsonTypeInfo.Type))
            {
                schema.Required = new HashSet<string>(RequestChecks.RequiredFields(context.JsonTypeInfo.Type), StringComparer.Ordinal);
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var role = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredRole>().FirstOrDefault();
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-ward-role"] = new JsonNodeExtension(JsonValue.Create(role?.Minimum ?? "anonymous"));
            operation.Extensions["x-ward-scope"] = new JsonNodeExtension(JsonValue.Create(role?.Scope ?? "public"));
            var changes = context.Description.HttpMethod is not ("GET" or "HEAD");
            operation.Security = Security(role, changes, context.Document);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Who may call: anyone (an empty requirement); a session only (enrolment, tokens); or a token or a session. A
    /// session's requests that change something also need the CSRF header.
    /// </summary>
    private static List<OpenApiSecurityRequirement> Security(RequiredRole? role, bool changes, OpenApiDocument? document)
    {
        if (role is null)
        {
            return [new OpenApiSecurityRequirement()];
        }

        var session = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SessionScheme, document)] = [] };
        if (changes)
        {
            session[new OpenApiSecuritySchemeReference(CsrfScheme, document)] = [];
        }

        return role.SessionOnly || role.Minimum == Access.SignedIn
            ? [session]
            : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }, session];
    }

    /// <summary>
    /// The address clients use: Ward:PublicUrl, else the first address the server listens on (--urls). Never the
    /// request's Host header, which a caller chooses and could point the document (and clients generated from it) anywhere.
    /// </summary>
    private static string ServerUrl(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IOptions<ServerOptions>>().Value.PublicUrl;
        var url = !string.IsNullOrWhiteSpace(configured)
            ? configured
            : services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:8080";
        return url.TrimEnd('/');
    }
}
