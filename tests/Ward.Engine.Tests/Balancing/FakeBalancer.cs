using System.Text;
using Ward.Deploying.Balancing;
using Ward.Deploying.Live;
using Ward.Engine.Ports;

namespace Ward.Engine.Tests.Balancing;

/// <summary>
/// The load balancer's ward-lb tool as the fake engine runs it: it keeps the routes it was sent and the certificates a
/// test gives it, and answers show, apply, certificates and errors as the real one does.
/// </summary>
internal sealed class FakeBalancer
{
    public string? Config { get; private set; }

    public string? CaRoot { get; private set; }

    /// <summary>How many times routes were sent.</summary>
    public int Applied { get; private set; }

    /// <summary>The "# file" + PEM listing `ward-lb certificates` prints.</summary>
    public string Certificates { get; set; } = "";

    public string Errors { get; set; } = "";

    public void Attach(FakeEngine engine) => engine.ExecHandler = (_, command, environment) => Run(command, environment);

    private ExecResult Run(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment)
    {
        switch (command.Count == 2 && command[0] == "/usr/local/bin/ward-lb" ? command[1] : "")
        {
            case "show":
                return new ExecResult(0, Config ?? "", "");
            case "apply":
                Config = Encoding.UTF8.GetString(Convert.FromBase64String(environment["WARD_LB_CONFIG"]));
                CaRoot = environment.TryGetValue("WARD_LB_CA_ROOT", out var root) ? Encoding.UTF8.GetString(Convert.FromBase64String(root)) : CaRoot;
                Applied++;
                return new ExecResult(0, "", "");
            case "certificates":
                return new ExecResult(0, Certificates, "");
            case "errors":
                return new ExecResult(0, Errors, "");
            default:
                return new ExecResult(64, "", $"ward-lb: unknown command {string.Join(' ', command)}");
        }
    }
}

/// <summary>A DNS resolver answering from a table; names not in it get no answer.</summary>
internal sealed class FakeDns : IDomainResolver
{
    public Dictionary<string, IReadOnlyList<string>> Records { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Asked { get; } = [];

    public string Description => "the test resolver";

    public Task<IReadOnlyList<string>?> ResolveAAsync(string domain, CancellationToken cancellationToken)
    {
        Asked.Add(domain);
        return Task.FromResult(Records.TryGetValue(domain, out var records) ? records : null);
    }
}

/// <summary>A probe that answers for the hosts a test lets through, recording what it was asked.</summary>
internal sealed class FakeProbe : IRouteProbe
{
    public HashSet<string> Answering { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Asked { get; } = [];

    public Task<bool> AnswersAsync(string address, string host, string path, string token, CancellationToken cancellationToken)
    {
        Asked.Add($"{address} {host}{path}");
        return Task.FromResult(Answering.Contains(host));
    }
}
