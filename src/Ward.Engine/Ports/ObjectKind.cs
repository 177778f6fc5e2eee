namespace Ward.Engine.Ports;

/// <summary>The kinds of Swarm objects an environment owns. The order is the order of creation.</summary>
public enum ObjectKind
{
    Network,
    Secret,
    Config,
    Service,
}
