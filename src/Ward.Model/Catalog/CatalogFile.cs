using System.Globalization;
using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Reading;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Catalog;

/// <summary>
/// Reads a catalog extension (<c>--catalog FILE</c> or <c>WARD_CATALOG</c>): extra node sizes and database tiers,
/// added to the built-in ones. A name that exists replaces the built-in entry.
/// <code>
/// sizes:
///   - { name: xx-large, vcpu: 8, memory_gb: 32, disk_gb: 64, cloud_size: D8s_v3 }
/// tiers:
///   - { name: general-purpose-64, family: general-purpose, vcores: 64, memory_gb: 320 }
/// </code>
/// </summary>
public static class CatalogFile
{
    private static readonly ScalarShape Text = new(ScalarTypes.String);
    private static readonly ScalarShape Amount = new(ScalarTypes.Number) { Minimum = 0 };

    private static readonly ObjectShape Shape = new([
        new Field("sizes", new ArrayShape(new ObjectShape([
            new Field("name", Text),
            new Field("rank", new ScalarShape(ScalarTypes.Integer)),
            new Field("cloud_size", Text),
            new Field("vcpu", Amount),
            new Field("memory_gb", Amount),
            new Field("disk_gb", Amount),
        ]) { Required = ["name", "vcpu", "memory_gb"] })),
        new Field("tiers", new ArrayShape(new ObjectShape([
            new Field("name", Text),
            new Field("family", new ScalarShape(ScalarTypes.String) { Enum = ["basic", "general-purpose", "memory-optimized"] }),
            new Field("vcores", new ScalarShape(ScalarTypes.Integer) { Minimum = 1 }),
            new Field("memory_gb", Amount),
        ]) { Required = ["name", "family", "vcores", "memory_gb"] })),
    ]);

    /// <summary>Reads the file and returns <paramref name="baseCatalog"/> extended with it, or null with diagnostics.</summary>
    public static SizeCatalog? Load(string path, SizeCatalog baseCatalog, DiagnosticBag diagnostics)
    {
        if (!File.Exists(path))
        {
            diagnostics.Error(DiagnosticCodes.File, "", $"the catalog file '{path}' does not exist", null);
            return null;
        }

        var text = YamlTreeBuilder.Decode(File.ReadAllBytes(path), path, diagnostics);
        var root = text is null ? null : YamlTreeBuilder.Build(text, path, diagnostics);
        if (root is null)
        {
            if (!diagnostics.HasErrors)
            {
                diagnostics.Error(DiagnosticCodes.Schema, "", $"the catalog file '{path}' is empty", new SourceLocation(path, 1, 1));
            }

            return null;
        }

        var tree = new TreeValidator(ComposeVersion.Latest, diagnostics, null).Validate(root, Shape, ModelPath.Root);
        if (diagnostics.HasErrors)
        {
            return null;
        }

        var maxRank = baseCatalog.Sizes.Max(s => s.Rank);
        var sizes = tree.Get("sizes").Items().Select(item => new NodeSize(
            item.Get("name").Text()!,
            item.Get("rank").Int() ?? baseCatalog.FindSize(item.Get("name").Text()!)?.Rank ?? ++maxRank,
            item.Get("cloud_size").Text(),
            item.Get("vcpu").Double() ?? 0,
            item.Get("memory_gb").Double() ?? 0,
            item.Get("disk_gb").Double() ?? 0)).ToList();
        var tiers = tree.Get("tiers").Items().Select(item => new DatabaseTier(
            item.Get("name").Text()!,
            item.Get("family").Text() switch
            {
                "basic" => TierFamily.Basic,
                "memory-optimized" => TierFamily.MemoryOptimized,
                _ => TierFamily.GeneralPurpose,
            },
            item.Get("vcores").Int() ?? 1,
            item.Get("memory_gb").Double() ?? 0)).ToList();
        return baseCatalog.With(sizes, tiers);
    }

    /// <summary>A size described for people: "medium (B2s: 2 vCPU, 4 GB)".</summary>
    public static string Describe(NodeSize size) =>
        string.Create(CultureInfo.InvariantCulture, $"{size.Name} ({(size.CloudSize is null ? "" : size.CloudSize + ": ")}{size.Vcpu:0.#} vCPU, {size.MemoryGb:0.#} GB)");
}
