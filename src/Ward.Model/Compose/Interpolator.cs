using System.Text;

namespace Ward.Model.Compose;

/// <summary>
/// Substitutes variables exactly as the Docker CLI 28 does (docs/reference/stack-config-behaviour.md §4), so a
/// file reads the same in Ward and in <c>docker stack deploy</c>:
/// <list type="bullet">
/// <item><c>$$</c> is a literal dollar; <c>$NAME</c> and <c>${NAME}</c> substitute (empty when unset).</item>
/// <item>An operator may follow the name, braced or not: <c>:-</c> default when unset or empty, <c>-</c> default when
/// unset, <c>:?</c> / <c>?</c> error when unset (or empty). Unbraced, the operand runs to the next <c>}</c> or the end.</item>
/// <item>The first of <c>:-</c>, <c>-</c>, <c>:?</c>, <c>?</c> found anywhere in the expression decides its meaning.</item>
/// <item>No nesting: the result is not scanned again.</item>
/// <item>Only the last expression's error counts (an earlier bad one is dropped); Ward still warns about it.</item>
/// </list>
/// </summary>
public sealed class Interpolator(VariableSource variables)
{
    private static readonly string[] Operators = [":-", "-", ":?", "?"];

    /// <summary>Names of variables that were used but not set (substituted as empty strings).</summary>
    public HashSet<string> Unset { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Substitutes <paramref name="text"/>. Returns false with <paramref name="error"/> when the CLI would refuse it;
    /// <paramref name="warning"/> is set when the CLI accepts it only because a later expression hid an earlier error.
    /// </summary>
    public bool TrySubstitute(string text, out string result, out string? error, out string? warning)
    {
        error = null;
        warning = null;
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            result = text;
            return true;
        }

        var output = new StringBuilder(text.Length);
        string? lastError = null;
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '$')
            {
                output.Append(text[i++]);
                continue;
            }

            if (i + 1 < text.Length && text[i + 1] == '$')
            {
                output.Append('$');
                i += 2;
                continue;
            }

            var (body, length) = Match(text, i);
            if (body is null)
            {
                // Like the CLI: the lone '$' is dropped and the text after it is kept literally.
                lastError = InvalidMessage(text);
                warning ??= lastError;
                i++;
                continue;
            }

            output.Append(Resolve(body, out var resolveError));
            lastError = resolveError;
            if (resolveError is not null)
            {
                warning ??= resolveError;
            }

            i += length;
        }

        result = output.ToString();
        if (lastError is not null)
        {
            error = lastError;
            warning = null;
            return false;
        }

        if (warning is not null)
        {
            warning = $"'{Shorten(text)}' has an expression that docker stack deploy drops silently ({warning}); write $$ for a literal $";
        }

        return true;
    }

    private static string InvalidMessage(string text) =>
        $"invalid interpolation format in '{Shorten(text)}': write $VAR, ${{VAR}}, ${{VAR:-default}} or ${{VAR:?message}}, and $$ for a literal $";

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    /// <summary>The expression body after '$' (without braces) and the length consumed, or null when invalid.</summary>
    private static (string? Body, int Length) Match(string text, int dollar)
    {
        var start = dollar + 1;
        if (start < text.Length && text[start] == '{')
        {
            var close = text.IndexOf('}', start + 1);
            if (close < 0)
            {
                return (null, 0);
            }

            var body = text[(start + 1)..close];
            return IsExpression(body, body.Length) ? (body, close - dollar + 1) : (null, 0);
        }

        var nameLength = NameLength(text.AsSpan(start));
        if (nameLength == 0)
        {
            return (null, 0);
        }

        var end = start + nameLength;
        var operatorLength = OperatorLength(text.AsSpan(end));
        if (operatorLength > 0)
        {
            // An unbraced operand runs to the next '}' (excluded) or to the end of the string.
            var close = text.IndexOf('}', end);
            end = close < 0 ? text.Length : close;
        }

        return (text[start..end], end - dollar);
    }

    private static bool IsExpression(string body, int length)
    {
        var nameLength = NameLength(body.AsSpan(0, length));
        if (nameLength == 0)
        {
            return false;
        }

        return nameLength == length || OperatorLength(body.AsSpan(nameLength)) > 0;
    }

    private static int OperatorLength(ReadOnlySpan<char> text) => text switch
    {
        [':', '-' or '?', ..] => 2,
        ['-' or '?', ..] => 1,
        _ => 0,
    };

    private static int NameLength(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !(char.IsAsciiLetter(text[0]) || text[0] == '_'))
        {
            return 0;
        }

        var length = 1;
        while (length < text.Length && (char.IsAsciiLetterOrDigit(text[length]) || text[length] == '_'))
        {
            length++;
        }

        return length;
    }

    private string Resolve(string body, out string? error)
    {
        error = null;
        foreach (var op in Operators)
        {
            var at = body.IndexOf(op, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var name = body[..at];
            var operand = body[(at + op.Length)..];
            var isSet = variables.TryGet(name, out var value);
            var missing = op[0] == ':' ? !isSet || value.Length == 0 : !isSet;
            if (!missing)
            {
                return value;
            }

            if (op[^1] == '-')
            {
                return operand;
            }

            error = $"required variable {name} is missing a value: {operand}";
            return "";
        }

        return Lookup(body);
    }

    private string Lookup(string name)
    {
        if (variables.TryGet(name, out var value))
        {
            return value;
        }

        Unset.Add(name);
        return "";
    }
}
