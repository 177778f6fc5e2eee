using System.Text.Json.Nodes;

namespace Ward.Server.Tests.Support;

/// <summary>
/// What in a new OpenAPI document breaks a client written against an old one: a path or operation removed; a parameter
/// or request field that is newly required, or whose type changed; a success response removed; a response field
/// removed or of another type. Additions (a path, an operation, an optional input, a response field) break nothing.
/// </summary>
internal static class ContractDiff
{
    /// <summary>Each breaking change, in words: where, and what changed.</summary>
    public static IReadOnlyList<string> Breaking(JsonObject before, JsonObject after)
    {
        var changes = new List<string>();
        var oldPaths = before["paths"]!.AsObject();
        var newPaths = after["paths"]?.AsObject() ?? [];
        foreach (var (path, oldItem) in oldPaths)
        {
            if (newPaths[path] is not JsonObject newItem)
            {
                changes.Add($"{path}: the path was removed");
                continue;
            }

            foreach (var (method, oldOperation) in oldItem!.AsObject().Where(o => IsMethod(o.Key)))
            {
                var where = $"{method.ToUpperInvariant()} {path}";
                if (newItem[method] is not JsonObject newOperation)
                {
                    changes.Add($"{where}: the operation was removed");
                    continue;
                }

                var operation = new Pair(before, after, where, changes);
                operation.Parameters(oldOperation!.AsObject(), newOperation);
                operation.RequestBody(oldOperation["requestBody"], newOperation["requestBody"]);
                operation.Responses(oldOperation["responses"]?.AsObject() ?? [], newOperation["responses"]?.AsObject() ?? []);
            }
        }

        return changes;
    }

    /// <summary>The major number of info.version: a change to it allows breaking changes.</summary>
    public static string MajorVersion(JsonObject document) => document["info"]!["version"]!.GetValue<string>().Split('.')[0];

    private static bool IsMethod(string key) => key is "get" or "put" or "post" or "delete" or "patch" or "head" or "options";

    /// <summary>One operation of both documents, compared; schemas are resolved in each one's own components.</summary>
    private sealed record Pair(JsonObject Before, JsonObject After, string Where, List<string> Changes)
    {
        public void Parameters(JsonObject oldOperation, JsonObject newOperation)
        {
            var old = (oldOperation["parameters"]?.AsArray() ?? []).ToDictionary(Key, p => p!.AsObject());
            foreach (var parameter in newOperation["parameters"]?.AsArray() ?? [])
            {
                var key = Key(parameter);
                var required = parameter!["required"]?.GetValue<bool>() == true;
                if (!old.TryGetValue(key, out var previous))
                {
                    if (required)
                    {
                        Changes.Add($"{Where}: the parameter {key} is new and required");
                    }

                    continue;
                }

                if (required && previous["required"]?.GetValue<bool>() != true)
                {
                    Changes.Add($"{Where}: the parameter {key} is now required");
                }

                Compare(previous["schema"], parameter["schema"], $"parameter {key}", input: true, []);
            }
        }

        public void RequestBody(JsonNode? old, JsonNode? now)
        {
            if (now is null)
            {
                return;
            }

            if (old is null)
            {
                if (now["required"]?.GetValue<bool>() == true)
                {
                    Changes.Add($"{Where}: a body is now required");
                }

                return;
            }

            Compare(old["content"]?["application/json"]?["schema"], now["content"]?["application/json"]?["schema"], "body", input: true, []);
        }

        public void Responses(JsonObject old, JsonObject now)
        {
            foreach (var (status, response) in old.Where(r => r.Key.StartsWith('2')))
            {
                if (now[status] is not { } current)
                {
                    Changes.Add($"{Where}: the {status} response was removed");
                    continue;
                }

                foreach (var (type, content) in response!["content"]?.AsObject() ?? [])
                {
                    if (current["content"]?[type] is not { } newContent)
                    {
                        Changes.Add($"{Where}: the {status} response is no longer {type}");
                        continue;
                    }

                    Compare(content!["schema"], newContent["schema"], $"{status} response", input: false, []);
                }
            }
        }

        /// <summary>
        /// Compares two schemas: the same types, and (inputs) no newly required field, or (outputs) no removed field;
        /// fields and items compared in turn.
        /// </summary>
        private void Compare(JsonNode? old, JsonNode? now, string at, bool input, HashSet<string> seen)
        {
            var (oldSchema, oldName) = Resolve(Before, old);
            var (newSchema, newName) = Resolve(After, now);
            // A named schema is compared once per direction (schemas refer to themselves); inline ones each time.
            if (oldSchema is null || newSchema is null || (oldName.Length > 0 && !seen.Add($"{oldName}>{newName}>{input}")))
            {
                return;
            }

            var (oldTypes, newTypes) = (Types(oldSchema), Types(newSchema));
            if (oldTypes.Count > 0 && newTypes.Count > 0 && !oldTypes.SetEquals(newTypes))
            {
                Changes.Add($"{Where}: {at} was {string.Join("|", oldTypes.Order(StringComparer.Ordinal))}, is now {string.Join("|", newTypes.Order(StringComparer.Ordinal))}");
                return;
            }

            if (oldSchema["items"] is { } oldItems && newSchema["items"] is { } newItems)
            {
                Compare(oldItems, newItems, $"{at}[]", input, seen);
            }

            var oldProperties = oldSchema["properties"]?.AsObject() ?? [];
            var newProperties = newSchema["properties"]?.AsObject() ?? [];
            if (input)
            {
                var wasRequired = Required(oldSchema);
                foreach (var field in Required(newSchema).Where(f => !wasRequired.Contains(f)))
                {
                    Changes.Add($"{Where}: {at}.{field} is now required");
                }
            }

            foreach (var (field, schema) in oldProperties)
            {
                if (newProperties[field] is { } newField)
                {
                    Compare(schema, newField, $"{at}.{field}", input, seen);
                }
                else if (!input)
                {
                    Changes.Add($"{Where}: {at}.{field} was removed");
                }
            }
        }

        /// <summary>A schema with its $ref (and a nullable wrapper's oneOf) followed, and the component's name.</summary>
        private static (JsonObject? Schema, string Name) Resolve(JsonObject document, JsonNode? node)
        {
            var name = "";
            for (var depth = 0; node is JsonObject schema && depth < 10; depth++)
            {
                if (schema["$ref"]?.GetValue<string>() is { } reference)
                {
                    name = reference.Split('/')[^1];
                    node = document["components"]?["schemas"]?[name];
                }
                else if (schema["oneOf"] is JsonArray choices && choices.Count(c => c!["type"]?.ToString() != "null") == 1)
                {
                    node = choices.First(c => c!["type"]?.ToString() != "null");
                }
                else
                {
                    return (schema, name);
                }
            }

            return (null, name);
        }

        /// <summary>A schema's types, "null" left out: a field becoming nullable or not is not counted here.</summary>
        private static HashSet<string> Types(JsonObject schema) => schema["type"] switch
        {
            JsonArray types => types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToHashSet(StringComparer.Ordinal),
            JsonValue type when type.GetValue<string>() != "null" => [type.GetValue<string>()],
            _ => [],
        };

        private static HashSet<string> Required(JsonObject schema) =>
            (schema["required"]?.AsArray() ?? []).Select(r => r!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

        private static string Key(JsonNode? parameter) => $"{parameter!["in"]}:{parameter["name"]}";
    }
}
