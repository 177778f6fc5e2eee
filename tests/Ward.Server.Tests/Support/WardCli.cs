namespace Ward.Server.Tests.Support;

/// <summary>Arguments for running the built ward command (<see cref="WardProcess"/>) against a test's store.</summary>
internal static class WardCli
{
    /// <summary>The store options of `ward audit verify` for a store.</summary>
    public static string[] StoreArguments(StoreTarget store, string dataDirectory) => store.Provider == "postgres"
        ? ["--store", "postgres", "--connection", store.ConnectionString!]
        : ["--data", dataDirectory];
}
