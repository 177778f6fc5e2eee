using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Ward.Deploying.Alerts;

/// <summary>The SMTP relay alert mail goes through: STARTTLS unless told otherwise, and credentials when given.</summary>
public sealed record SmtpSettings
{
    public required string Host { get; init; }

    public int Port { get; init; } = 587;

    public required string From { get; init; }

    public string? UserName { get; init; }

    public string? Password { get; init; }

    /// <summary>required (refuse a server without STARTTLS), when-available, or none (a relay on the same machine).</summary>
    public string StartTls { get; init; } = "required";

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>Sends a digest as one plain-text mail to every address of the environment.</summary>
public sealed class AlertMailer(SmtpSettings settings)
{
    public async Task<DeliveryResult> SendAsync(AlertDigest digest, IReadOnlyList<string> to, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.AddRange(to.Select(MailboxAddress.Parse));
        message.Subject = digest.Subject;
        message.Body = new TextPart("plain") { Text = digest.Text() };
        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            var security = settings.StartTls switch
            {
                "none" => SecureSocketOptions.None,
                "when-available" => SecureSocketOptions.StartTlsWhenAvailable,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(settings.Host, settings.Port, security, cancellationToken);
            if (settings.UserName is { Length: > 0 } user)
            {
                await client.AuthenticateAsync(user, settings.Password ?? "", cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
            return new DeliveryResult(true, 1, null);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or AuthenticationException or IOException or System.Net.Sockets.SocketException or NotSupportedException or TimeoutException)
        {
            // The password is never part of what MailKit reports; the server's answer is.
            return new DeliveryResult(false, 1, $"mail to {settings.Host}:{settings.Port} failed: {e.Message}");
        }
    }
}
