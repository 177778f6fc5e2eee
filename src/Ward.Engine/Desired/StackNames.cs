namespace Ward.Engine.Desired;

/// <summary>The names and labels <c>docker stack deploy</c> gives a stack's objects, so either tool can take over.</summary>
public static class StackNames
{
    public const string NamespaceLabel = "com.docker.stack.namespace";
    public const string ImageLabel = "com.docker.stack.image";

    /// <summary>Ward's label on secrets and configs: the environment key the versioned object belongs to.</summary>
    public const string KeyLabel = "com.ward.key";

    /// <summary>Ward's label on swarm nodes: the name of the node in x-ward.nodes it was matched to.</summary>
    public const string NodeLabel = "ward.node";

    public static string Scoped(string environment, string key) => $"{environment}_{key}";

    public static string DefaultNetwork(string environment) => Scoped(environment, "default");
}
