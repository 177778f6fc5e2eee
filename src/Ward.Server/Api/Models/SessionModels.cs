using System.Text.Json.Serialization;

// Fields whose name says it all have no <param> of their own (their description in the OpenAPI document is the name).
#pragma warning disable CS1573

namespace Ward.Server.Api.Models;

/// <param name="Status">Always "ok" while the server answers.</param>
public sealed record Health(string Status);

/// <param name="Needed">Whether the server still needs its first owner.</param>
public sealed record SetupNeeded(bool Needed);

/// <param name="User">The owner's user name.</param>
/// <param name="Next">What to do next.</param>
public sealed record SetupDone(string User, string Next);

/// <param name="User">Who signed in.</param>
/// <param name="Stage">"full", or "enroll" when the only thing the session may do is enrol a second factor.</param>
/// <param name="TwoFactor">Whether the user has a second factor.</param>
/// <param name="RecoveryCodesLeft">After a sign-in with a recovery code: how many are left.</param>
public sealed record SignedIn(string User, string Stage, bool TwoFactor, int? RecoveryCodesLeft);

/// <summary>Who is signed in (the fields of the signed-in case are absent otherwise, and the other way round).</summary>
/// <param name="SignedIn">Whether a full session or a token is behind the request.</param>
/// <param name="CsrfToken">The value to send as X-Ward-Csrf with every unsafe request of a console session.</param>
/// <param name="Enrolling">Not signed in: whether the session may only enrol a second factor.</param>
/// <param name="SetupNeeded">Not signed in: whether the server still needs its first owner.</param>
/// <param name="User">Signed in: the user name.</param>
/// <param name="Role">Signed in: the highest role held.</param>
/// <param name="Grants">Signed in: every role held, globally (environment null) or in one environment.</param>
public sealed record SessionInfo(
    bool SignedIn,
    string CsrfToken,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Enrolling = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? SetupNeeded = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? User = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RoleHeld>? Grants = null);

public sealed record RoleHeld(string Role, string? Environment);

/// <param name="Secret">The new TOTP secret (base32), shown this once.</param>
/// <param name="Uri">The otpauth:// URI for an authenticator.</param>
public sealed record TotpEnrolment(string Secret, string Uri);

/// <param name="RecoveryCodes">New recovery codes, shown this once.</param>
public sealed record TotpEnrolled(string User, string Stage, bool TwoFactor, IReadOnlyList<string> RecoveryCodes, string Note);
