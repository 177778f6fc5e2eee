using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Ward.Deploying.Switchover;
using Ward.Server.Api;
using Ward.Server.Auth;
using Ward.Server.Services;
using Ward.Store;

namespace Ward.Server;

/// <summary>
/// The Ward server: one ASP.NET Core host with the API under /api/v1, the OpenAPI document at /openapi/v1.json, the
/// web console at /, and the background work (status watching, applies), over the same core as the CLI.
/// </summary>
public static partial class WardServer
{
    public const string CsrfHeader = "X-Ward-Csrf";

    /// <summary>Builds the server; <paramref name="configure"/> lets tests replace settings.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);

        // The slim builder leaves HTTPS out; without this, --urls https://... fails at start whatever certificate
        // Kestrel is given (Kestrel:Certificates:Default:Path and friends).
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = RequestGuards.MaxBodyBytes;
            kestrel.Limits.MaxRequestLineSize = RequestGuards.MaxRequestLineLength;
        });
        builder.Configuration.AddEnvironmentVariables("WARD_SERVER_");
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8080");
        }

        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

        // Database commands and key-ring chatter say nothing an operator needs; their warnings still show.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        configure?.Invoke(builder);
        var services = builder.Services;
        services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        // Tried, so that tests can give the server their own clock and engine (in the configure callback above).
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ServerOptions>>().Value;
            return new StoreOptions { Provider = options.StoreProvider, DataDirectory = options.DataDirectory, ConnectionString = options.StoreConnectionString };
        });
        services.AddSingleton<PrincipalCache>();
        services.AddSingleton<InstallationKey>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<KnownDevices>();
        services.AddSingleton<SecondFactor>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<SecretVault>();
        services.AddSingleton<SetupState>();
        services.TryAddSingleton<EngineAccess>();
        services.AddSingleton(sp => CatalogOf(sp.GetRequiredService<IOptions<ServerOptions>>().Value));
        services.AddSingleton<EnvironmentService>();
        services.AddSingleton<OperationRunner>();
        services.AddSingleton<DatabaseOperations>();
        services.AddSingleton<StatusCache>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusCache>());
        services.AddSingleton<DomainObservations>();
        // The switchover's thresholds; a test shortens them (Ward:Switchover:DomainLeadTime=00:01:00, ...).
        services.AddSingleton(builder.Configuration.GetSection("Ward:Switchover").Get<SwitchoverOptions>() ?? new SwitchoverOptions());
        services.AddSingleton<DomainWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<DomainWatcher>());
        services.AddSingleton<WardMetrics>();
        services.AddSingleton<AlertWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertWatcher>());
        services.AddDataProtection().SetApplicationName("ward").PersistKeysToDbContext<KeyContext>();
        services.AddOptions<KeyManagementOptions>().Configure<InstallationKey>((keys, installation) => keys.XmlEncryptor = new KeyRingEncryptor(installation));
        services.AddDbContext<KeyContext>((sp, db) => KeyContext.Configure(db, sp.GetRequiredService<StoreOptions>()));
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNameCaseInsensitive = true);

        // A body or query the endpoint cannot read throws, so the exception handler answers with a ProblemDetails (the
        // framework's own answer is an empty 400).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "ward.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;

            // Secure over https. Not "Always": antiforgery then refuses every plain-http request, which is what Ward
            // sees behind a TLS-terminating proxy (the session cookie's Secure follows Ward:SecureCookies).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = "ward";
                o.DefaultChallengeScheme = "ward";
            })
            .AddPolicyScheme("ward", "cookie or token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal)
                    ? TokenAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = "ward.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = context => context.HttpContext.RequestServices.GetRequiredService<SessionStore>().ValidateAsync(context);
                o.Events.OnRedirectToLogin = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<ServerOptions>>((cookie, server) =>
            {
                cookie.ExpireTimeSpan = server.Value.IdleTimeout;
                cookie.Cookie.SecurePolicy = server.Value.SecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            });
        services.AddAuthorization();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;

            // Refusals are ProblemDetails with a code like every other API error (the limiter's default is an empty body).
            o.OnRejected = (rejected, _) => new ValueTask(Problems.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "too many sign-in attempts from this address; wait a minute and try again")
                .ExecuteAsync(rejected.HttpContext));
            o.AddPolicy("sign-in", context => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Of(context),
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = context.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.SignInAttemptsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                }));
        });
        services.AddOpenApi("v1", ApiDescription.Configure);

        var app = builder.Build();
        app.Use(MetricsEndpoint.CountAsync);
        app.Use(RequestGuards.SecurityHeadersAsync);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = RequestGuards.FailureAsync,

            // A request the endpoint could not read is the caller's mistake, answered with a 400, not a server error to log.
            SuppressDiagnosticsCallback = failure => failure.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages(RequestGuards.EmptyErrorAsync);
        app.Use(RequestGuards.TargetAsync);
        app.UseRateLimiter();
        app.UseAuthentication();
        app.Use(CheckCsrfAsync);

        // Who may call the endpoint is settled here, before it reads a byte of the body.
        app.Use(Access.CheckAsync);
        app.Use(RequestGuards.BodyLimitAsync);

        var api = app.MapGroup("/api/v1").CheckRequests().DescribeCommonProblems();
        api.MapGet("/health", () => Results.Ok(new Api.Models.Health("ok"))).WithName("health").WithTags("Server").WithSummary("Liveness").Produces<Api.Models.Health>().AllowAnonymous();
        SessionEndpoints.Map(api);
        EnvironmentEndpoints.Map(api);
        OperationEndpoints.Map(api);
        SecretEndpoints.Map(api);
        NodeEndpoints.Map(api);
        DomainEndpoints.Map(api);
        LogEndpoints.Map(api);
        AlertEndpoints.Map(api);
        UserEndpoints.Map(api);
        AuditEndpoints.Map(api);
        CapacityEndpoints.Map(api);
        MetricsEndpoint.Map(app);
        DatabaseEndpoints.Map(api);
        SwitchoverEndpoints.Map(api);
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        ConsoleFiles.Map(app);
        return app;
    }

    /// <summary>Migrates the store, opens first-run setup when there is no user, then serves until stopped.</summary>
    public static async Task RunAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await PrepareAsync(app, cancellationToken);
        await app.RunAsync(cancellationToken);
    }

    /// <summary>
    /// Checks the settings, migrates the store and opens first-run setup when there is no user. A wrong setting, or a
    /// store that cannot be opened, is an <see cref="OptionsValidationException"/> naming the setting.
    /// </summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ServerOptions options;
        try
        {
            options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        }
        catch (InvalidOperationException e)
        {
            // A value of the wrong type (Ward:IdleTimeout=soon): the binder's message names the key; say it first, as
            // every other failure does.
            var key = System.Text.RegularExpressions.Regex.Match(e.Message, "at '([^']+)'") is { Success: true } match ? match.Groups[1].Value : ServerOptions.Section;
            throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), [$"{key}: {e.Message}"]);
        }

        var store = app.Services.GetRequiredService<StoreOptions>();
        try
        {
            await store.MigrateAsync(cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or UnauthorizedAccessException or InvalidOperationException { InnerException: System.Data.Common.DbException })
        {
            var failure = options.StoreProvider == "postgres"
                ? $"Ward:StoreConnectionString: cannot open the PostgreSQL store: {e.Message}"
                : $"Ward:DataDirectory: cannot open the SQLite store in {options.DataDirectory}: {e.Message}";
            throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), [failure]);
        }

        await OpenKeyRingAsync(app, store, cancellationToken);
        var setup = app.Services.GetRequiredService<SetupState>();
        if (await setup.NeededAsync(cancellationToken))
        {
            LogSetup(app.Logger, setup.Begin());
        }
    }

    /// <summary>
    /// Reads the installation's key file (making it on a first start), checks that it is the key the store's key ring was
    /// encrypted with, and encrypts any key an earlier Ward stored in clear. A missing or wrong key file stops the server
    /// here, naming Ward:KeyFile, rather than at the first secret it cannot decrypt.
    /// </summary>
    private static async Task OpenKeyRingAsync(WebApplication app, StoreOptions store, CancellationToken cancellationToken)
    {
        var key = app.Services.GetRequiredService<InstallationKey>();
        var encrypted = await KeyRingEncryptor.EncryptedPartsAsync(store, cancellationToken);
        try
        {
            key.Load(mayCreate: encrypted.Count == 0);
            if (encrypted.Count > 0)
            {
                try
                {
                    new KeyRingDecryptor(app.Services).Decrypt(encrypted[0]);
                }
                catch (CryptographicException)
                {
                    throw new KeyFileException($"{key.Path} is not the key the store's key ring was encrypted with; give this server the key file of the server that set it up");
                }
            }
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), [$"Ward:KeyFile: {e.Message}"]);
        }

        var count = await new KeyRingEncryptor(key).EncryptStoredKeysAsync(store, cancellationToken);
        if (count > 0)
        {
            LogKeysEncrypted(app.Logger, count, key.Path);
        }
    }

    /// <summary>The size and tier catalog, as the CLI finds it (Ward:Catalog, else WARD_CATALOG); checked at start by the options validator.</summary>
    private static Model.Catalog.SizeCatalog CatalogOf(ServerOptions options) =>
        Deploying.Loading.Catalogs.Load(string.IsNullOrWhiteSpace(options.Catalog) ? null : options.Catalog, new Model.Diagnostics.DiagnosticBag());

    /// <summary>
    /// Cookie-authenticated requests that change something must carry the console's CSRF token in a header, which a
    /// page on another site cannot read or send. Token-authenticated requests (no cookie involved) need none.
    /// </summary>
    private static async Task CheckCsrfAsync(HttpContext context, RequestDelegate next)
    {
        var unsafeMethod = !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method));
        var viaCookie = context.Request.Cookies.ContainsKey("ward.session") && !context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal);
        if (unsafeMethod && viaCookie && context.Request.Path.StartsWithSegments("/api"))
        {
            try
            {
                await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
            }
            catch (AntiforgeryValidationException)
            {
                await Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.Csrf, $"missing or wrong {CsrfHeader} header (read it from GET /api/v1/session)").ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ward has no owner yet. Open the console and create the first owner with this one-time setup code: {Code}")]
    private static partial void LogSetup(ILogger logger, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} data-protection key(s) were stored in clear by an earlier Ward; they are now encrypted with the key file {Path}, which this server (and every replica) needs from now on")]
    private static partial void LogKeysEncrypted(ILogger logger, int count, string path);
}

/// <summary>The store, seen only for its data protection keys (ASP.NET's key ring reads and writes them through it).</summary>
public sealed class KeyContext(DbContextOptions<KeyContext> options) : DbContext(options), Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.IDataProtectionKeyContext
{
    public DbSet<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> DataProtectionKeys => Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>();

    public static void Configure(DbContextOptionsBuilder builder, StoreOptions store)
    {
        if (store.Provider == "postgres")
        {
            builder.UseNpgsql(store.ConnectionString);
        }
        else
        {
            builder.UseSqlite($"Data Source={Path.Combine(store.DataDirectory, "ward.db")};Cache=Shared");
        }
    }
}
