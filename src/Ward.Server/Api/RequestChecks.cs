using System.Collections.Concurrent;
using System.Reflection;

namespace Ward.Server.Api;

/// <summary>
/// Checks what every endpoint of the API receives before the endpoint runs, so no endpoint can forget: each request
/// body (the records named *Request) must have every field its type does not mark optional, and each text field and
/// query value must keep to <see cref="TextRules"/>. Every problem is reported at once, as one 400. (Path values name
/// what the endpoint looks up, and the endpoint says best what a wrong one is: a secret's key, say.)
/// The rules follow the field's name, so a new request type gets them without anyone writing a check.
/// </summary>
public static class RequestChecks
{
    /// <summary>Rules for text fields by "Type.Property" or by property name; the first that matches applies.</summary>
    private static readonly Dictionary<string, FieldRule> Rules = new(StringComparer.Ordinal)
    {
        ["UserName"] = new(ProblemCodes.InvalidUserName, TextRules.UserNameProblem),
        ["DisplayName"] = new(ProblemCodes.InvalidDisplayName, v => TextRules.NameProblem(v, TextRules.DisplayNameLength)),
        ["CreateTokenRequest.Name"] = new(ProblemCodes.InvalidTokenName, v => TextRules.NameProblem(v, TextRules.TokenNameLength)),
        ["FileName"] = new(ProblemCodes.InvalidFileName, v => TextRules.NameProblem(v, TextRules.FileNameLength)),
        ["Environment"] = new(ProblemCodes.InvalidEnvironmentName, TextRules.EnvironmentNameProblem),
        ["Password"] = new(ProblemCodes.InvalidPassword, v => v.Length > TextRules.PasswordLength ? $"at most {TextRules.PasswordLength} characters" : null),

        // Checked where they are used: an environment file by its reader, a secret value by its size (any bytes are a value).
        ["Content"] = FieldRule.None,
        ["Value"] = FieldRule.None,
    };

    private static readonly ConcurrentDictionary<Type, PropertyCheck[]> Bodies = new();

    /// <summary>Adds the checks to every endpoint of the group.</summary>
    public static RouteGroupBuilder CheckRequests(this RouteGroupBuilder group) => group.AddEndpointFilterFactory((factory, next) =>
    {
        var checks = factory.MethodInfo.GetParameters().Select(ArgumentCheck).ToArray();
        if (checks.All(c => c is null))
        {
            return next;
        }

        return async invocation =>
        {
            var problems = new List<FieldProblem>();
            for (var i = 0; i < checks.Length; i++)
            {
                checks[i]?.Invoke(invocation.HttpContext, invocation.Arguments[i], problems);
            }

            return problems.Count == 0 ? await next(invocation) : Problems.Invalid(problems);
        };
    });

    private delegate void Check(HttpContext context, object? argument, List<FieldProblem> problems);

    private static Check? ArgumentCheck(ParameterInfo parameter)
    {
        if (parameter.ParameterType == typeof(string))
        {
            var name = parameter.Name!;
            return (context, argument, problems) =>
            {
                if (argument is string text && !context.Request.RouteValues.ContainsKey(name) && TextRules.TextProblem(text, TextRules.QueryLength) is { } problem)
                {
                    problems.Add(new FieldProblem(name, ProblemCodes.InvalidQuery, problem));
                }
            };
        }

        if (!IsRequestBody(parameter.ParameterType))
        {
            return null;
        }

        var properties = Bodies.GetOrAdd(parameter.ParameterType, PropertyChecks);
        return (_, argument, problems) =>
        {
            if (argument is null)
            {
                return;
            }

            foreach (var property in properties)
            {
                property.Apply(argument, problems);
            }
        };
    }

    /// <summary>The request bodies of the API: records of this server named *Request.</summary>
    internal static bool IsRequestBody(Type type) =>
        type.IsClass && type.Name.EndsWith("Request", StringComparison.Ordinal) && type.Namespace?.StartsWith("Ward.Server", StringComparison.Ordinal) == true;

    /// <summary>The fields of a request body that must be sent (as the API's document lists them), by their JSON names.</summary>
    internal static IEnumerable<string> RequiredFields(Type type) => Bodies.GetOrAdd(type, PropertyChecks).Where(p => p.Required).Select(p => p.Field);

    private static PropertyCheck[] PropertyChecks(Type type)
    {
        var nullability = new NullabilityInfoContext();
        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead).Select(p => new PropertyCheck(
            p,
            char.ToLowerInvariant(p.Name[0]) + p.Name[1..],
            !p.PropertyType.IsValueType && nullability.Create(p).ReadState == NullabilityState.NotNull,
            Rules.GetValueOrDefault($"{type.Name}.{p.Name}") ?? Rules.GetValueOrDefault(p.Name) ?? FieldRule.Text))];
    }

    /// <summary>The code for a text field's problems and what is wrong with a value (null: nothing).</summary>
    private sealed record FieldRule(string Code, Func<string, string?> Problem)
    {
        public static readonly FieldRule None = new(ProblemCodes.InvalidField, _ => null);

        public static readonly FieldRule Text = new(ProblemCodes.InvalidField, v => TextRules.TextProblem(v, TextRules.TextLength));
    }

    private sealed record PropertyCheck(PropertyInfo Property, string Field, bool Required, FieldRule Rule)
    {
        public void Apply(object body, List<FieldProblem> problems)
        {
            switch (Property.GetValue(body))
            {
                case null when Required:
                    problems.Add(new FieldProblem(Field, ProblemCodes.MissingField, "this field is required"));
                    break;
                case string text when Rule.Problem(text) is { } problem:
                    problems.Add(new FieldProblem(Field, Rule.Code, problem));
                    break;
                case IEnumerable<KeyValuePair<string, string>> labels:
                    foreach (var (key, value) in labels)
                    {
                        if (TextRules.LabelProblem(key, value) is { } labelProblem)
                        {
                            problems.Add(new FieldProblem(Field, ProblemCodes.InvalidLabel, labelProblem));
                            break;
                        }
                    }

                    break;
            }
        }
    }
}
