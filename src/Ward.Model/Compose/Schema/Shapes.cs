namespace Ward.Model.Compose.Schema;

/// <summary>The JSON types a scalar may have.</summary>
[Flags]
internal enum ScalarTypes
{
    None = 0,
    String = 1,
    Integer = 2,
    Number = 4,
    Boolean = 8,
    Null = 16,
}

/// <summary>What <c>docker stack deploy</c> does with a key.</summary>
internal enum KeyStatus
{
    /// <summary>Read and deployed.</summary>
    Supported,

    /// <summary>Accepted but ignored ("Ignoring unsupported options"): CMP-001.</summary>
    Ignored,

    /// <summary>Accepted but deprecated ("Ignoring deprecated options"): CMP-001 at info level.</summary>
    Deprecated,

    /// <summary>Refused: the deploy aborts (CMP-002).</summary>
    Forbidden,
}

/// <summary>
/// The shape a value must have. A small description language for the compose format: the reader validates
/// files with it and the repository's JSON Schema is generated from it, so the two cannot drift apart.
/// </summary>
internal abstract class Shape
{
    /// <summary>A short name for the schema's definitions section, when the shape is shared.</summary>
    public string? Name { get; init; }

    public string? Description { get; init; }

    /// <summary>The first compose version in which this shape is allowed (e.g. long port syntax from 3.2).</summary>
    public ComposeVersionRequirement Since { get; init; } = ComposeVersionRequirement.Any;

    /// <summary>Words for messages: "a string", "a mapping or a list".</summary>
    public abstract string Expected { get; }
}

/// <summary>
/// How the CLI converts a string at a key after interpolation (only when interpolation changed it):
/// Go's Atoi, ParseFloat, or its yes/no/true/false/on/off boolean.
/// </summary>
internal enum Cast
{
    None,
    Int,
    Float,
    Bool,
}

/// <summary>A scalar of one or more types, optionally from a fixed set or with a format.</summary>
internal sealed class ScalarShape(ScalarTypes types) : Shape
{
    public ScalarTypes Types { get; } = types;

    /// <summary>The allowed values, when fixed.</summary>
    public IReadOnlyList<string>? Enum { get; init; }

    /// <summary>A format the CLI checks: "duration" or "ports"; null for none.</summary>
    public string? Format { get; init; }

    /// <summary>
    /// How the CLI converts an interpolated string here: <c>replicas: ${R}</c> is accepted with R=3, while a
    /// literal <c>replicas: "3"</c> is not (it was not changed by interpolation).
    /// </summary>
    public Cast Cast { get; init; }

    /// <summary>The smallest number allowed (the CLI stores many counts unsigned).</summary>
    public long? Minimum { get; init; }

    /// <summary>
    /// Whether a YAML timestamp (<c>2001-12-14</c>) is accepted as text here. The CLI turns it into a string only in
    /// maps of free values (labels, environment, driver and logging options); every other string key refuses it.
    /// </summary>
    public bool TimestampIsText { get; init; }

    public override string Expected
    {
        get
        {
            if (Enum is { } values)
            {
                return $"one of {string.Join(", ", values)}";
            }

            var words = new List<string>();
            if (Types.HasFlag(ScalarTypes.String))
            {
                words.Add(Format is null ? "a string" : $"a {Format} string");
            }

            if (Types.HasFlag(ScalarTypes.Integer))
            {
                words.Add("an integer");
            }

            if (Types.HasFlag(ScalarTypes.Number))
            {
                words.Add("a number");
            }

            if (Types.HasFlag(ScalarTypes.Boolean))
            {
                words.Add("a boolean");
            }

            if (Types.HasFlag(ScalarTypes.Null))
            {
                words.Add("null");
            }

            return string.Join(" or ", words);
        }
    }
}

/// <summary>A list whose items all have one shape.</summary>
internal sealed class ArrayShape(Shape items) : Shape
{
    public Shape Items { get; } = items;

    public bool UniqueItems { get; init; }

    /// <summary>When set, items need only be unique before this version (the CLI's 3.2+ schema misplaces the rule).</summary>
    public ComposeVersionRequirement? UniqueItemsBefore { get; init; }

    public override string Expected => "a list";
}

/// <summary>One key of an object shape.</summary>
internal sealed record Field(string Key, Shape Shape)
{
    /// <summary>The first compose version that allows the key.</summary>
    public ComposeVersionRequirement Since { get; init; } = ComposeVersionRequirement.Any;

    public KeyStatus Status { get; init; } = KeyStatus.Supported;

    /// <summary>For forbidden keys: what to write instead.</summary>
    public string? Advice { get; init; }
}

/// <summary>The minimum compose version of a key, as (major, minor).</summary>
internal readonly record struct ComposeVersionRequirement(int Major, int Minor)
{
    public static readonly ComposeVersionRequirement Any = new(3, 0);

    public bool IsSatisfiedBy(Spec.ComposeVersion version) => (version.Major, version.Minor).CompareTo((Major, Minor)) >= 0;

    public override string ToString() => $"{Major}.{Minor}";
}

/// <summary>A mapping with known keys, and optionally arbitrary further keys of one shape.</summary>
internal sealed class ObjectShape : Shape
{
    private readonly Dictionary<string, Field> _fields;

    public ObjectShape(IEnumerable<Field> fields)
    {
        Fields = [.. fields];
        _fields = Fields.ToDictionary(f => f.Key, StringComparer.Ordinal);
    }

    public IReadOnlyList<Field> Fields { get; }

    /// <summary>The shape of values under keys not in <see cref="Fields"/>; null when such keys are not allowed.</summary>
    public Shape? AdditionalValues { get; init; }

    /// <summary>The pattern that additional keys must match (a .NET/ECMAScript regular expression).</summary>
    public string? KeyPattern { get; init; }

    /// <summary>
    /// The shape of values under keys that do not match <see cref="KeyPattern"/>, when such keys are allowed: the CLI's
    /// schema skips top-level networks with such names, but its loader still decodes them.
    /// </summary>
    public Shape? UnmatchedValues { get; init; }

    /// <summary>From which version <c>x-*</c> keys are allowed (and ignored); null when never.</summary>
    public ComposeVersionRequirement? ExtensionsSince { get; init; }

    /// <summary>From which version any further key is accepted without checking; null when never.</summary>
    public ComposeVersionRequirement? OpenSince { get; init; }

    /// <summary>When true, an unknown key is a warning (Ward's own section) rather than an error (compose).</summary>
    public bool UnknownKeysAreWarnings { get; init; }

    public IReadOnlyList<string> Required { get; init; } = [];

    /// <summary>Whether a YAML null stands for an empty mapping here.</summary>
    public bool Nullable { get; init; }

    public override string Expected => "a mapping";

    public Field? Find(string key) => _fields.GetValueOrDefault(key);
}

/// <summary>
/// One of several shapes, told apart by the node's kind (scalar, mapping or list), e.g. a port in short
/// syntax (a string) or long syntax (a mapping).
/// </summary>
internal sealed class OneOfShape(params IReadOnlyList<Shape> options) : Shape
{
    public IReadOnlyList<Shape> Options { get; } = options;

    public override string Expected => string.Join(" or ", Options.Select(o => o.Expected).Distinct());
}
