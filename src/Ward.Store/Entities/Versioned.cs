namespace Ward.Store.Entities;

/// <summary>
/// Every stored object carries a version. An update must name the version it read; a stale one is a conflict
/// (HTTP 409), never a silent overwrite. The store increments it on every save.
/// </summary>
public abstract class Versioned
{
    public long Version { get; set; }
}
