using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Compose.Schema;

/// <summary>
/// Checks a YAML tree against a <see cref="Shape"/>, reporting every problem (never stopping at the first),
/// and returns the normalised tree: every string interpolated and, where the CLI does so, interpolated strings
/// cast to the expected type. Follows the Docker CLI's loader: interpolate, cast, then validate.
/// </summary>
/// <param name="version">The file's compose version: keys newer than it are refused.</param>
/// <param name="diagnostics">Where problems go.</param>
/// <param name="interpolator">Substitutes variables; null for a tree that was interpolated already.</param>
/// <param name="decodesAsCli">
/// True for the compose file itself, whose values the CLI decodes with Go types beyond the schema: a YAML timestamp
/// (<c>2001-12-14</c>) is then not a string, and <c>.inf</c> and <c>.nan</c> cannot be converted to JSON. False for
/// Ward's own YAML (the <c>x-ward</c> section, the catalog), where a date is just text.
/// </param>
internal sealed class TreeValidator(ComposeVersion version, DiagnosticBag diagnostics, Interpolator? interpolator, bool decodesAsCli = false)
{
    // Shared by every read: a validator per file compiled its patterns again each time.
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);

    private readonly HashSet<string> _reportedUnset = new(StringComparer.Ordinal);

    public ComposeVersion Version => version;

    /// <summary>Validates <paramref name="node"/> against <paramref name="shape"/> and returns it normalised.</summary>
    public YNode Validate(YNode node, Shape shape, ModelPath path) => Validate(node, shape, (LazyPath)path);

    private YNode Validate(YNode node, Shape shape, LazyPath path)
    {
        if (node is YScalar scalar)
        {
            node = Interpolate(scalar, shape, path);
        }

        return ValidateInterpolated(node, shape, path);
    }

    /// <summary>Validates a node whose own scalar value is interpolated already (each string is substituted once: "$$" is "$").</summary>
    private YNode ValidateInterpolated(YNode node, Shape shape, LazyPath path)
    {
        switch (shape)
        {
            case ScalarShape scalarShape:
                CheckScalar(node, scalarShape, path);
                return node;
            case ArrayShape arrayShape:
                return ValidateArray(node, arrayShape, path);
            case ObjectShape objectShape:
                return ValidateObject(node, objectShape, path);
            case OneOfShape oneOf:
                return ValidateOneOf(node, oneOf, path);
            default:
                throw new InvalidOperationException($"unknown shape {shape.GetType().Name}");
        }
    }

    /// <summary>Interpolates every string below <paramref name="node"/> without checking shapes (extension fields).</summary>
    public YNode InterpolateOnly(YNode node, ModelPath path) => InterpolateOnly(node, (LazyPath)path);

    private YNode InterpolateOnly(YNode node, LazyPath lazyPath)
    {
        if (node is YScalar scalar)
        {
            return Interpolate(scalar, null, lazyPath);
        }

        var path = lazyPath.Resolve();
        switch (node)
        {
            case YSequence sequence:
                var items = sequence.Items.Select((item, i) => InterpolateOnly(item, LazyPath.Item(path, i))).ToList();
                return Changed(sequence.Items, items) ? new YSequence(sequence.Location, items) : sequence;
            case YMapping mapping:
                var entries = new EntryEdits(mapping);
                for (var i = 0; i < mapping.Entries.Count; i++)
                {
                    var entry = mapping.Entries[i];
                    if (!IsStringKey(entry.Key))
                    {
                        NonStringKey(entry, path);
                        entries.Drop(i);
                        continue;
                    }

                    var key = (YScalar)entry.Key;
                    entries.Keep(i, Reuse(entry, InterpolateOnly(entry.Value, LazyPath.Child(path, key.Value))));
                }

                return entries.Result();
            default:
                return node;
        }
    }

    private YNode Interpolate(YScalar scalar, Shape? shape, LazyPath path)
    {
        if (decodesAsCli && scalar.Kind == ScalarKind.Float && ScalarResolver.TryGetDouble(scalar, out var real) && !double.IsFinite(real))
        {
            // The CLI converts the whole file to JSON before validating it, and JSON has no infinity or NaN.
            diagnostics.Error(DiagnosticCodes.Schema, path.ToString(), $"{scalar.Value} (infinity or not-a-number) cannot be used anywhere in a stack file; docker stack deploy refuses it even in an x- field (quote it: \"{scalar.Value}\")", scalar.Location);
            return scalar;
        }

        if (interpolator is null || scalar.Kind != ScalarKind.String || !scalar.Value.Contains('$', StringComparison.Ordinal))
        {
            return scalar;
        }

        var unsetBefore = interpolator.Unset.Count;
        if (!interpolator.TrySubstitute(scalar.Value, out var value, out var error, out var warning))
        {
            diagnostics.Error(DiagnosticCodes.Interpolation, path.ToString(), error!, scalar.Location);
            return scalar;
        }

        if (warning is not null)
        {
            diagnostics.Warning(DiagnosticCodes.InterpolationWarning, path.ToString(), warning, scalar.Location);
        }

        if (interpolator.Unset.Count != unsetBefore)
        {
            foreach (var name in interpolator.Unset.Where(_reportedUnset.Add))
            {
                diagnostics.Warning(DiagnosticCodes.InterpolationWarning, path.ToString(), $"the variable {name} is not set; an empty string is used", scalar.Location);
            }
        }

        if (value == scalar.Value)
        {
            return scalar;
        }

        // The CLI casts a value only when interpolation changed it, and only at keys it knows to be typed.
        var cast = shape switch
        {
            ScalarShape s => s.Cast,
            OneOfShape o => o.Options.OfType<ScalarShape>().Select(s => s.Cast).FirstOrDefault(c => c != Cast.None),
            _ => Cast.None,
        };
        return cast == Cast.None ? scalar.With(value, ScalarKind.String) : CastValue(scalar, value, cast, path);
    }

    private YScalar CastValue(YScalar scalar, string value, Cast cast, LazyPath path)
    {
        switch (cast)
        {
            case Cast.Int when GoNumbers.TryParseAtoi(value, out var number):
                return scalar.With(number.ToString(CultureInfo.InvariantCulture), ScalarKind.Int);
            case Cast.Float when GoNumbers.TryParseFloat(value, out var real):
                return scalar.With(real.ToString("R", CultureInfo.InvariantCulture), ScalarKind.Float);
            case Cast.Bool when GoNumbers.TryParseBool(value, out var flag):
                return scalar.With(flag ? "true" : "false", ScalarKind.Bool);
        }

        var expected = cast switch
        {
            Cast.Int => "a whole number (digits only)",
            Cast.Float => "a number",
            _ => "a boolean (true/false, yes/no, on/off)",
        };
        diagnostics.Error(DiagnosticCodes.Interpolation, path.ToString(), $"the value '{YScalar.Shorten(value)}' after interpolation is not {expected}", scalar.Location);
        return scalar.With(value, ScalarKind.String);
    }

    private void CheckScalar(YNode node, ScalarShape shape, LazyPath path)
    {
        if (node is not YScalar scalar || !Accepts(shape.Types, scalar))
        {
            TypeError(node, shape, path);
            return;
        }

        if (decodesAsCli && scalar.IsTimestamp && !shape.TimestampIsText)
        {
            diagnostics.Error(DiagnosticCodes.Schema, path.ToString(), $"'{scalar.Value}' is read as a date (a YAML timestamp), and docker stack deploy cannot use a date here where it needs text; quote it: \"{scalar.Value}\"", scalar.Location);
            return;
        }

        if (shape.Enum is { } values && scalar.Kind != ScalarKind.Null && !values.Contains(scalar.Value, StringComparer.Ordinal))
        {
            diagnostics.Error(DiagnosticCodes.Schema, path.ToString(), $"'{YScalar.Shorten(scalar.Value)}' is not one of {string.Join(", ", values)}", scalar.Location);
            return;
        }

        if (shape.Minimum is { } minimum && ScalarResolver.TryGetDouble(scalar, out var number) && number < minimum)
        {
            diagnostics.Error(DiagnosticCodes.Schema, path.ToString(), $"{scalar.Value} is below the minimum of {minimum}", scalar.Location);
            return;
        }

        if (shape.Format is { } format && FormatError(format, scalar) is { } problem)
        {
            diagnostics.Error(DiagnosticCodes.Schema, path.ToString(), problem, scalar.Location);
        }
    }

    private static string? FormatError(string format, YScalar scalar)
    {
        var value = scalar.Kind == ScalarKind.Int && ScalarResolver.TryGetLong(scalar, out var number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : scalar.Value;
        return format switch
        {
            "bytes" when !ByteSize.TryParse(value, out _, out var sizeError) => sizeError,
            "duration" when !GoDuration.TryParse(value, out _) =>
                $"'{YScalar.Shorten(value)}' is not a duration; write a number with a unit, e.g. 10s, 1m30s, 500ms, 2h",
            "ports" when !PortSyntax.TryParse(value, out _, out var error) => error,
            "ports" or "duration" or "bytes" => null,
            _ => WardFormats.Problem(format, value),
        };
    }

    private static bool Accepts(ScalarTypes types, YScalar scalar) => scalar.Kind switch
    {
        ScalarKind.String => (types & ScalarTypes.String) != 0,
        ScalarKind.Int => (types & ScalarTypes.Integer) != 0 || (types & ScalarTypes.Number) != 0,
        // JSON Schema (draft 4, as the CLI uses it) counts a whole-valued number as an integer: replicas: 3.0 is accepted.
        ScalarKind.Float => (types & ScalarTypes.Number) != 0 ||
                            ((types & ScalarTypes.Integer) != 0 && ScalarResolver.TryGetDouble(scalar, out var d) && double.IsFinite(d) && d == Math.Floor(d)),
        ScalarKind.Bool => (types & ScalarTypes.Boolean) != 0,
        ScalarKind.Null => (types & ScalarTypes.Null) != 0,
        _ => false,
    };

    private YNode ValidateOneOf(YNode node, OneOfShape oneOf, LazyPath path)
    {
        var option = Choose(node, oneOf);
        if (option is null)
        {
            TypeError(node, oneOf, path);
            return node;
        }

        if (!option.Since.IsSatisfiedBy(version))
        {
            diagnostics.Error("CMP-003", path.ToString(), $"{option.Expected} here needs compose file format {option.Since} or later, and this file declares version \"{version}\"; raise the version to \"{option.Since}\" or later, or use the short syntax", node.Location);
            return node;
        }

        return ValidateInterpolated(node, option, path);
    }

    private YNode ValidateArray(YNode node, ArrayShape shape, LazyPath lazyPath)
    {
        if (node is not YSequence sequence)
        {
            TypeError(node, shape, lazyPath);
            return node;
        }

        var path = lazyPath.Resolve();

        var items = new YNode[sequence.Items.Count];
        var unique = shape.UniqueItems && (shape.UniqueItemsBefore is not { } before || !before.IsSatisfiedBy(version));
        Dictionary<string, int>? seen = unique ? new(StringComparer.Ordinal) : null;
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = Validate(sequence.Items[i], shape.Items, LazyPath.Item(path, i));
            if (seen is not null && !seen.TryAdd(JsonValue(items[i]), i))
            {
                var what = items[i] is YScalar item ? $"'{YScalar.Shorten(item.Value)}'" : $"this {(items[i] is YMapping ? "mapping" : "list")}";
                diagnostics.Error(DiagnosticCodes.Schema, path.Index(i).ToString(), $"{what} repeats item {seen[JsonValue(items[i])]} of the list; the items of this list must be unique", items[i].Location);
            }
        }

        return Changed(sequence.Items, items) ? new YSequence(sequence.Location, items) : sequence;
    }

    /// <summary>The entry itself when its value did not change, else a copy with the new value.</summary>
    private static YEntry Reuse(YEntry entry, YNode value) => ReferenceEquals(entry.Value, value) ? entry : entry with { Value = value };

    /// <summary>Whether validation replaced any child: unchanged subtrees are shared, not copied.</summary>
    private static bool Changed(IReadOnlyList<YNode> before, IReadOnlyList<YNode> after)
    {
        for (var i = 0; i < before.Count; i++)
        {
            if (!ReferenceEquals(before[i], after[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The item as the CLI compares list items for uniqueness: as JSON text, so 80 and "80" differ, 80 and 80.0 and 0x50
    /// are equal, and mappings are equal whatever their key order.
    /// </summary>
    private static string JsonValue(YNode node) => node switch
    {
        YScalar { Kind: ScalarKind.Int or ScalarKind.Float } number when ScalarResolver.TryGetDouble(number, out var value) =>
            "n" + value.ToString("R", CultureInfo.InvariantCulture),
        YScalar { Kind: ScalarKind.Null } => "null",
        YScalar { Kind: ScalarKind.Bool } flag => flag.Value.ToLowerInvariant(),
        YScalar scalar => "s" + scalar.Value,
        YSequence sequence => "[" + string.Join(",", sequence.Items.Select(JsonValue)) + "]",
        YMapping mapping => "{" + string.Join(",", mapping.Entries
            .Select(e => JsonValue(e.Key) + ":" + JsonValue(e.Value))
            .Order(StringComparer.Ordinal)) + "}",
        _ => "?",
    };

    private YNode ValidateObject(YNode node, ObjectShape shape, LazyPath lazyPath)
    {
        if (node is YScalar { IsNull: true } && shape.Nullable)
        {
            return new YMapping(node.Location, []);
        }

        if (node is not YMapping mapping)
        {
            TypeError(node, shape, lazyPath);
            return node;
        }

        var path = lazyPath.Resolve();

        var open = shape.OpenSince is { } openSince && openSince.IsSatisfiedBy(version);
        var entries = new EntryEdits(mapping);
        for (var i = 0; i < mapping.Entries.Count; i++)
        {
            var entry = mapping.Entries[i];
            if (!IsStringKey(entry.Key))
            {
                NonStringKey(entry, path);
                entries.Drop(i);
                continue;
            }

            var keyScalar = (YScalar)entry.Key;
            var key = keyScalar.Value;
            var childPath = LazyPath.Child(path, key);
            if (shape.Find(key) is { } field)
            {
                if (CheckField(field, keyScalar, childPath))
                {
                    entries.Keep(i, Reuse(entry, Validate(entry.Value, field.Shape, childPath)));
                }
                else
                {
                    entries.Drop(i);
                }

                continue;
            }

            if (key.StartsWith("x-", StringComparison.Ordinal) && shape.ExtensionsSince is { } since)
            {
                if (since.IsSatisfiedBy(version) || open)
                {
                    entries.Keep(i, Reuse(entry, InterpolateOnly(entry.Value, childPath)));
                }
                else
                {
                    diagnostics.Error("CMP-003", childPath.ToString(), $"extension fields such as '{key}' need compose file format {since} or later here, and this file declares version \"{version}\"; raise the version to \"{since}\" or later", keyScalar.Location);
                    entries.Drop(i);
                }

                continue;
            }

            if (shape.AdditionalValues is { } valueShape && (shape.KeyPattern is null || Matches(shape.KeyPattern, key)))
            {
                entries.Keep(i, Reuse(entry, Validate(entry.Value, valueShape, childPath)));
                continue;
            }

            if (shape.UnmatchedValues is { } unmatched)
            {
                entries.Keep(i, Reuse(entry, Validate(entry.Value, unmatched, childPath)));
                continue;
            }

            if (open)
            {
                entries.Keep(i, Reuse(entry, InterpolateOnly(entry.Value, childPath)));
                continue;
            }

            ReportUnknownKey(shape, key, keyScalar, path);
            entries.Drop(i);
        }

        foreach (var required in shape.Required)
        {
            if (mapping.Find(required) is null)
            {
                diagnostics.Error(DiagnosticCodes.Schema, path.ToString(), $"'{required}' is required here", mapping.Location);
            }
        }

        return entries.Result();
    }

    private bool IsStringKey(YNode key) => key is YScalar { Kind: ScalarKind.String } scalar && !(decodesAsCli && scalar.IsTimestamp);

    private void NonStringKey(YEntry entry, ModelPath path)
    {
        var keyText = (entry.Key as YScalar)?.Value ?? entry.Key.Describe();
        var what = entry.Key is YScalar { IsTimestamp: true } ? "a date, not a string" : "not a string";
        diagnostics.Error(DiagnosticCodes.Schema, path.ToString(), $"the key '{keyText}' is {what}; keys must be names (quote it: \"{keyText}\")", entry.Key.Location);
    }

    private bool CheckField(Field field, YScalar key, LazyPath path)
    {
        if (field.Status == KeyStatus.Forbidden)
        {
            diagnostics.Error("CMP-002", path.ToString(), $"docker stack deploy refuses '{key.Value}': {field.Advice}", key.Location);
            return false;
        }

        if (!field.Since.IsSatisfiedBy(version))
        {
            diagnostics.Error("CMP-003", path.ToString(), $"'{key.Value}' needs compose file format {field.Since} or later, and this file declares version \"{version}\"; raise the version to \"{field.Since}\" or later, or remove the key", key.Location);
            return false;
        }

        switch (field.Status)
        {
            case KeyStatus.Ignored:
                diagnostics.Add(new Diagnostic("CMP-001", Severity.Warning, path.ToString(), $"docker stack deploy ignores '{key.Value}'{(field.Advice is null ? "" : $": {field.Advice}")}", key.Location));
                break;
            case KeyStatus.Deprecated:
                diagnostics.Add(new Diagnostic("CMP-001", Severity.Info, path.ToString(), $"'{key.Value}' is deprecated and ignored by docker stack deploy{(field.Advice is null ? "" : $": {field.Advice}")}", key.Location));
                break;
        }

        return true;
    }

    private void ReportUnknownKey(ObjectShape shape, string key, YScalar keyScalar, ModelPath path)
    {
        var suggestion = Suggest(key, shape.Fields.Select(f => f.Key));
        var hint = suggestion is null ? "" : $"; did you mean '{suggestion}'?";
        if (shape.UnknownKeysAreWarnings)
        {
            diagnostics.Warning(DiagnosticCodes.UnknownKey, path.Child(key).ToString(), $"unknown key '{key}' is ignored{hint}", keyScalar.Location);
            return;
        }

        var what = shape.AdditionalValues is not null && shape.KeyPattern is not null
            ? $"'{key}' is not a valid name here (allowed: {DescribePattern(shape.KeyPattern)})"
            : $"unknown key '{key}': docker stack deploy refuses it{hint}";
        diagnostics.Error(DiagnosticCodes.Schema, path.Child(key).ToString(), what, keyScalar.Location);
    }

    private static string DescribePattern(string pattern) => pattern switch
    {
        ComposeSchema.NamePattern => "letters, digits, '.', '_' and '-'",
        _ => $"names matching {pattern}",
    };

    private static bool Matches(string pattern, string key)
    {
        if (pattern == ComposeSchema.NamePattern)
        {
            return ComposeSchema.IsName(key);
        }

        // The patterns are Ward's own schema (linear, anchored), matched against one key at a time: no timeout to check.
        return Patterns.GetOrAdd(pattern, static p => new Regex(p, RegexOptions.CultureInvariant)).IsMatch(key);
    }

    private static Shape? Choose(YNode node, OneOfShape oneOf)
    {
        foreach (var option in oneOf.Options)
        {
            var fits = (node, option) switch
            {
                (YScalar scalar, ScalarShape s) => Accepts(s.Types, scalar),
                (YMapping, ObjectShape) => true,
                (YScalar { IsNull: true }, ObjectShape { Nullable: true }) => true,
                (YSequence, ArrayShape) => true,
                _ => false,
            };
            if (fits)
            {
                return option;
            }
        }

        return null;
    }

    private void TypeError(YNode node, Shape shape, LazyPath path)
    {
        var hint = node is YScalar { Kind: ScalarKind.String, Quoted: true } scalar && UnquotedFits(scalar, shape)
            ? $" (write {scalar.Value} without quotes)"
            : node is YScalar { Kind: ScalarKind.Int or ScalarKind.Float or ScalarKind.Bool } typed && AcceptsString(shape)
                ? $" (quote it: \"{typed.Value}\")"
                : "";
        diagnostics.Error(DiagnosticCodes.Schema, path.ToString(), $"expected {shape.Expected}, found {node.Describe()}{hint}", node.Location);
    }

    private static bool UnquotedFits(YScalar scalar, Shape shape)
    {
        var resolved = ScalarResolver.Resolve(scalar.Value);
        var asTyped = new YScalar(scalar.Location, scalar.Value, resolved, false);
        return resolved != ScalarKind.String && Choose(asTyped, shape as OneOfShape ?? new OneOfShape(shape)) is ScalarShape;
    }

    private static bool AcceptsString(Shape shape) => shape switch
    {
        ScalarShape s => (s.Types & ScalarTypes.String) != 0,
        OneOfShape o => o.Options.Any(AcceptsString),
        _ => false,
    };

    /// <summary>The closest known key within two edits, for "did you mean" hints.</summary>
    public static string? Suggest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = 3;
        foreach (var candidate in known)
        {
            var distance = Distance(key, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

/// <summary>
/// The entries of a mapping as validation keeps, replaces or drops them, in order. Nothing is copied until the first
/// change: a mapping that validation leaves alone (most of a large file) is returned as it is.
/// </summary>
internal struct EntryEdits(YMapping original)
{
    private List<YEntry>? _edited;

    /// <summary>Keeps the entry at <paramref name="index"/>, possibly replaced by <paramref name="entry"/>.</summary>
    public void Keep(int index, YEntry entry)
    {
        if (_edited is null && ReferenceEquals(entry, original.Entries[index]))
        {
            return;
        }

        CopyBefore(index).Add(entry);
    }

    /// <summary>Leaves the entry at <paramref name="index"/> out.</summary>
    public void Drop(int index) => CopyBefore(index);

    public readonly YMapping Result() => _edited is null ? original : new YMapping(original.Location, _edited);

    private List<YEntry> CopyBefore(int index)
    {
        if (_edited is null)
        {
            _edited = new List<YEntry>(original.Entries.Count);
            for (var i = 0; i < index; i++)
            {
                _edited.Add(original.Entries[i]);
            }
        }

        return _edited;
    }
}
