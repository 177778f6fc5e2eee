using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Reading;

/// <summary>
/// The outcome of reading an environment file: the spec when the file could be read, every diagnostic, and
/// the tree to place later findings (rules) at a line and column.
/// </summary>
public sealed class ReadResult(string file, EnvironmentSpec? spec, IReadOnlyList<Diagnostic> diagnostics, YNode? tree)
{
    public string File { get; } = file;

    /// <summary>Null when the file could not be read (any error-level diagnostic).</summary>
    public EnvironmentSpec? Spec { get; } = spec;

    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;

    public bool Succeeded => Spec is not null;

    /// <summary>
    /// Where <paramref name="path"/> is written: the value for a scalar, the key for a mapping or list. A path
    /// that is not in the file (a missing key) resolves to its nearest written ancestor.
    /// </summary>
    public SourceLocation? Locate(string path)
    {
        if (tree is null)
        {
            return null;
        }

        var segments = ModelPath.Parse(path);
        if (segments is null)
        {
            return tree.Location;
        }

        YNode node = tree;
        var location = tree.Location;
        foreach (var segment in segments)
        {
            switch (segment, node)
            {
                case (string key, YMapping mapping) when mapping.Find(key) is { } entry:
                    node = entry.Value;
                    location = node is YScalar ? node.Location : entry.Key.Location;
                    continue;
                case (int index, YSequence sequence) when index >= 0 && index < sequence.Items.Count:
                    node = sequence.Items[index];
                    location = node.Location;
                    continue;
            }

            break;
        }

        return location;
    }
}
