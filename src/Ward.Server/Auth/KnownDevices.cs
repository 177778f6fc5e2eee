using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Ward.Server.Auth;

/// <summary>
/// Browsers that signed in before, so that what strangers do cannot keep their users out. After a successful sign-in,
/// the browser gets a cookie (sent only to the sign-in endpoint, encrypted with the server's keys) naming the user and a
/// random device id; its later failed sign-ins count under that device alone, not under its address, so a stranger's
/// failures from the same address (a shared proxy, say) do not hold it back.
/// </summary>
public sealed class KnownDevices(IDataProtectionProvider protection, IOptions<ServerOptions> options)
{
    public const string CookieName = "ward.device";

    /// <summary>Users remembered per browser; the oldest is forgotten first.</summary>
    private const int MaxUsers = 5;

    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(180);

    private readonly IDataProtector _protector = protection.CreateProtector("Ward.Device.v1");

    /// <summary>The device id this browser holds for the user, or null when it never signed in as them.</summary>
    public Guid? DeviceOf(HttpContext context, string userName) =>
        Read(context).FirstOrDefault(d => d.User == userName)?.Device;

    public void Remember(HttpContext context, string userName)
    {
        var devices = Read(context);
        var entry = devices.FirstOrDefault(d => d.User == userName) ?? new KnownDevice(userName, Guid.NewGuid());
        List<KnownDevice> kept = [.. devices.Where(d => d.User != userName).TakeLast(MaxUsers - 1), entry];
        context.Response.Cookies.Append(CookieName, _protector.Protect(JsonSerializer.Serialize(kept)), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = options.Value.SecureCookies || context.Request.IsHttps,
            Path = "/api/v1/session",
            MaxAge = Lifetime,
        });
    }

    private List<KnownDevice> Read(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var cookie) || cookie.Length > 4096)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<KnownDevice>>(_protector.Unprotect(cookie)) ?? [];
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            // Not one of ours (or from keys since retired): the browser is simply not known.
            return [];
        }
    }

    private sealed record KnownDevice(string User, Guid Device);
}
