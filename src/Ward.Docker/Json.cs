using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Ward.Docker;

/// <summary>
/// Converts between the client library's models and the Engine API JSON that Ward plans with. The library keeps its
/// serializer settings internal; the swarm spec models need only two of them: durations as integer nanoseconds,
/// and nulls left out.
/// </summary>
internal static class Json
{
    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new NanosecondsConverter() },
    };

    public static JsonObject ToJson<T>(T value) => JsonSerializer.SerializeToNode(value, Options) as JsonObject ?? [];

    public static T FromJson<T>(JsonObject json) => json.Deserialize<T>(Options) ?? throw new JsonException($"empty {typeof(T).Name}");

    /// <summary>The Engine API's durations: integer nanoseconds.</summary>
    private sealed class NanosecondsConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TimeSpan.FromTicks(reader.GetInt64() / 100);

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value.Ticks * 100);
    }
}
