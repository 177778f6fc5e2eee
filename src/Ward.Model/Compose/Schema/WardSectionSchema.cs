using static Ward.Model.Compose.Schema.S;

namespace Ward.Model.Compose.Schema;

/// <summary>
/// The shape of the <c>x-ward</c> section. Its names are a contract (docs/environment-file.md). Unknown keys
/// here are warnings: the compose tools ignore <c>x-</c> fields, so a newer file still reads in an older Ward.
/// </summary>
internal static class WardSectionSchema
{
    private static readonly ScalarShape LabelValue = new(ScalarTypes.String | ScalarTypes.Number | ScalarTypes.Boolean);

    private static readonly ObjectShape Node = Requiring(
        ["name", "size"],
        F("name", String()),
        F("role", Enum("manager", "worker")),
        F("size", String()),
        F("address", String()),
        F("availability", Enum("active", "pause", "drain")),
        F("labels", MapOf(LabelValue)),
        F("zone", String()));

    private static readonly ObjectShape Database = Requiring(
        ["name", "tier"],
        F("name", String()),
        F("engine", Enum("postgres", "mysql")),
        F("version", StringOrNumber()),
        F("tier", String()),
        F("placement", ListOfStrings()),
        F("service", String()),
        F("external", Requiring(["host"], F("host", String()), F("port", Integer()))),
        F("networks", ListOfStrings()),
        F("backups", Requiring(
            ["repository"],
            F("repository", Requiring([], F("placement", ListOfStrings()), F("path", String()), F("volume", String()))),
            F("full_at", String()),
            F("incremental_every", Duration()),
            F("retention", Requiring([], F("hourly", Positive()), F("daily", Positive()), F("weekly", Positive()))))));

    private static ScalarShape Positive() => new(ScalarTypes.Integer) { Minimum = 1 };

    private static readonly ObjectShape Domain = Requiring(
        ["name", "service"],
        F("name", String()),
        F("service", String()),
        F("port", Integer()),
        F("path", String()),
        F("redirects", ListOfStrings()),
        F("tls", Enum("acme", "internal")),
        F("mapped_at", String("date-time")));

    private static readonly ObjectShape LoadBalancer = Requiring(
        [],
        F("acme", Requiring([], F("directory", String()), F("email", String()), F("ca_root", String()))),
        F("hsts", Boolean()));

    private static readonly ObjectShape Monitoring = Requiring(
        [],
        F("node", String()),
        F("retention", Duration()),
        F("retention_size", StringOrNumber()),
        F("scrape_interval", Duration()),
        F("port", Integer()));

    private static readonly ObjectShape AlertRule = Requiring(
        [],
        F("threshold", Number()),
        F("for", Duration()),
        F("enabled", Boolean()));

    private static readonly ObjectShape Alerts = Requiring(
        [],
        F("rules", new ObjectShape([]) { AdditionalValues = AlertRule, UnknownKeysAreWarnings = true }),
        F("email", ListOfStrings()),
        F("webhooks", List(Requiring(["url"], F("url", String()), F("secret", String())))));

    private static readonly ObjectShape Switchover = Requiring(
        [],
        F("window", Requiring(["start", "end"], F("start", String("date-time")), F("end", String("date-time")))),
        F("restore_rehearsal", Requiring(["at", "passed"], F("at", String("date-time")), F("passed", Boolean()))),
        F("rollback_plan", String()),
        F("swarm_backup_at", String("date-time")));

    private static readonly ObjectShape Waiver = Requiring(
        ["rule", "reason"],
        F("rule", String()),
        F("target", String()),
        F("reason", String()),
        F("expires", String("date")));

    /// <summary>Attestations about the swarm's control plane, which the file cannot show otherwise (CIS section 7).</summary>
    private static readonly ObjectShape Swarm = Requiring(
        [],
        F("autolock", Boolean()),
        F("unlock_key_rotated_at", String("date-time")),
        F("listen_addr", String()),
        F("data_path_addr", String()),
        F("cert_expiry", String("duration")),
        F("ca_rotated_at", String("date-time")));

    public static ObjectShape Section { get; } = Requiring(
        [],
        F("environment", Requiring([], F("name", String("environment-name")), F("kind", Enum("production", "staging")))),
        F("nodes", List(Node)),
        F("databases", List(Database)),
        F("domains", List(Domain)),
        F("load_balancer", LoadBalancer),
        F("monitoring", Monitoring),
        F("alerts", Alerts),
        F("switchover", Switchover),
        F("swarm", Swarm),
        F("waivers", List(Waiver)));

    private static ObjectShape Requiring(string[] required, params Field[] fields) =>
        new(fields) { UnknownKeysAreWarnings = true, Required = required };
}
