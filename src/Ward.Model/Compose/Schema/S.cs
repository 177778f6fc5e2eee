namespace Ward.Model.Compose.Schema;

/// <summary>Short constructors that keep the schema tables readable.</summary>
internal static class S
{
    public static ScalarShape String() => new(ScalarTypes.String);

    public static ScalarShape String(string format) => new(ScalarTypes.String) { Format = format };

    public static ScalarShape Enum(params string[] values) => new(ScalarTypes.String) { Enum = values };

    public static ScalarShape Integer() => new(ScalarTypes.Integer);

    /// <summary>A count the CLI stores unsigned and casts from an interpolated string.</summary>
    public static ScalarShape Count() => new(ScalarTypes.Integer) { Cast = Cast.Int, Minimum = 0 };

    public static ScalarShape Number(Cast cast = Cast.None) => new(ScalarTypes.Number) { Cast = cast };

    public static ScalarShape Boolean(bool cast = false) => new(ScalarTypes.Boolean) { Cast = cast ? Cast.Bool : Cast.None };

    public static ScalarShape StringOrNumber() => new(ScalarTypes.String | ScalarTypes.Number);

    public static ComposeVersionRequirement V(int major, int minor) => new(major, minor);

    public static ScalarShape Duration() => String("duration");

    public static ArrayShape List(Shape items, bool unique = false) => new(items) { UniqueItems = unique };

    public static ArrayShape ListOfStrings(bool unique = true) => List(String(), unique);

    public static OneOfShape StringOrList() => new(String(), ListOfStrings()) { Name = "string_or_list" };

    /// <summary>A command: a string (split into words at load) or a list of strings, where words may repeat.</summary>
    public static OneOfShape Command() => new(String(), ListOfStrings(unique: false));

    public static ObjectShape Object(params Field[] fields) => new(fields);

    /// <summary>A map from names to values of one shape (labels, driver options).</summary>
    public static ObjectShape MapOf(Shape values, string? keyPattern = null) => new([]) { AdditionalValues = values, KeyPattern = keyPattern };

    public static Field F(string key, Shape shape) => new(key, shape);

    public static Field F(string key, Shape shape, int major, int minor) => new(key, shape) { Since = new ComposeVersionRequirement(major, minor) };
}
