using Microsoft.Extensions.Options;
using Ward.Docker;
using Ward.Engine.Ports;

namespace Ward.Server.Services;

/// <summary>The one engine the server manages environments on, chosen like the CLI chooses it; its client is shared.</summary>
public sealed class EngineAccess : IDisposable
{
    private readonly IEngine _engine;

    public EngineAccess(IOptions<ServerOptions> options)
    {
        var (endpoint, description) = EngineSelection.Resolve(options.Value.EngineHost);
        Description = description;
        _engine = new DockerEngine(endpoint, TimeSpan.FromSeconds(30));
    }

    /// <summary>A given engine: tests host the server over a fake one.</summary>
    internal EngineAccess(IEngine engine, string description)
    {
        _engine = engine;
        Description = description;
    }

    public IEngine Engine => _engine;

    public string Description { get; }

    public void Dispose() => (_engine as IDisposable)?.Dispose();
}
