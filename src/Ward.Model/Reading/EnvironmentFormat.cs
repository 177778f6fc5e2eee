using System.Text;
using Ward.Model.Compose.Schema;

namespace Ward.Model.Reading;

/// <summary>
/// What other layers may know of the environment file's format, without the reader's internals (its YAML trees and
/// schema engine): the names Swarm objects may have, how paths into the file are written, and the JSON Schema.
/// </summary>
public static class EnvironmentFormat
{
    /// <summary>Whether a service, network, volume, secret or config name is one the Docker CLI accepts ([a-zA-Z0-9._-]+).</summary>
    public static bool IsObjectName(string name) => ComposeSchema.IsName(name);

    /// <summary>A path into the file as the reader writes it in diagnostics: services.web.ports[0].published.</summary>
    public static string Path(IEnumerable<object> segments) => ModelPath.Format(segments);

    /// <summary>Appends one key of a path, quoted when it needs to be (services["my.app"]).</summary>
    public static void AppendKey(StringBuilder path, string key) => ModelPath.AppendKey(path, key);

    /// <summary>Whether a key is written in a path as it is (no dots, brackets or quotes to escape).</summary>
    public static bool IsPlainKey(string key) => ModelPath.IsPlainKey(key);

    /// <summary>The JSON Schema of the environment file, for editors and CI (schema/ward-environment.schema.json).</summary>
    public static string JsonSchema() => JsonSchemaWriter.Write();
}
