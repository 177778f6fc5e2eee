namespace Ward.Server.Api;

/// <summary>
/// Every API error is a ProblemDetails with a stable <c>code</c> from <see cref="ProblemCodes"/> that clients match on
/// (never the message text).
/// </summary>
public static class Problems
{
    public static IResult Of(int status, string code, string detail, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>()) { ["code"] = code };
        return Results.Problem(statusCode: status, title: Title(status), detail: detail, extensions: extensions);
    }

    public static IResult BadRequest(string code, string detail, IDictionary<string, object?>? extra = null) => Of(StatusCodes.Status400BadRequest, code, detail, extra);

    public static IResult Unauthorized(string detail = "sign in, or send an API token (Authorization: Bearer ...)") => Of(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthenticated, detail);

    public static IResult Forbidden(string detail) => Of(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, detail);

    public static IResult NotFound(string code, string detail) => Of(StatusCodes.Status404NotFound, code, detail);

    public static IResult Conflict(string code, string detail) => Of(StatusCodes.Status409Conflict, code, detail);

    public static IResult Stale(string what) => Conflict(ProblemCodes.StaleVersion, $"{what} changed since you read it; read it again and retry with its current version");

    public static IResult Unavailable(string code, string detail) => Of(StatusCodes.Status503ServiceUnavailable, code, detail);

    /// <summary>
    /// Every problem found in a request at once: the first one's code, and each with the field (as the JSON names it),
    /// its code and what is allowed.
    /// </summary>
    public static IResult Invalid(IReadOnlyList<FieldProblem> problems) => BadRequest(
        problems[0].Code,
        string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}")),
        new Dictionary<string, object?> { ["problems"] = problems });

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthenticated",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        413 => "Content too large",
        414 => "URI too long",
        415 => "Unsupported media type",
        429 => "Too many requests",
        500 => "Internal server error",
        503 => "Service unavailable",
        _ => "Error",
    };
}

/// <summary>One problem with one field of a request: where, its code, and what is allowed (never the value sent).</summary>
public sealed record FieldProblem(string Field, string Code, string Message);
