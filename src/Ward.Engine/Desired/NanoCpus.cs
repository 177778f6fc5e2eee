using System.Globalization;

namespace Ward.Engine.Desired;

/// <summary>CPU counts to Swarm's nano-CPUs, exactly (decimal, not floating point): "0.5" is 500000000.</summary>
public static class NanoCpus
{
    public static long From(double cpus) =>
        (long)decimal.Round(decimal.Parse(cpus.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture) * 1_000_000_000m);
}
