using System.CommandLine;
using Ward.Store;
using Ward.Store.Audit;

namespace Ward.Cli.Commands;

/// <summary><c>ward audit verify</c>: proves the audit log was not edited, by recomputing its hash chain.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The server's data folder (SQLite store).", DefaultValueFactory = _ => "/var/lib/ward/data", HelpName = "DIR" };
        var store = new Option<string>("--store") { Description = "sqlite or postgres.", DefaultValueFactory = _ => "sqlite" };
        var connection = new Option<string?>("--connection") { Description = "The PostgreSQL connection string, with --store postgres." };
        var expect = new Option<string?>("--expect-head") { Description = "The head hash recorded earlier: also proves nothing was cut from the end." };
        var verify = new Command("verify", "Recompute the audit log's hash chain; report any edited, removed or reordered entry. Exit 0 intact, 1 broken.")
        {
            data, store, connection, expect,
        };
        verify.SetAction(async (parse, token) =>
        {
            var options = new StoreOptions { DataDirectory = parse.GetValue(data)!, Provider = parse.GetValue(store)!, ConnectionString = parse.GetValue(connection) };
            if (options.Provider == "sqlite" && !File.Exists(Path.Combine(options.DataDirectory, "ward.db")))
            {
                Console.Error.WriteLine($"ward: no Ward store in {options.DataDirectory} (ward.db is missing)");
                return ExitCodes.InvalidInput;
            }

            var result = await AuditChain.VerifyAsync(options, token);
            foreach (var problem in result.Problems)
            {
                Console.Out.WriteLine($"✗ {problem}");
            }

            var headMatches = parse.GetValue(expect) is not { } expected || expected == result.HeadHash;
            if (!headMatches)
            {
                Console.Out.WriteLine($"✗ the head is {result.HeadHash}, not the expected {parse.GetValue(expect)}: entries were cut from the end or added");
            }

            Console.Out.WriteLine(result.Intact && headMatches
                ? $"✓ the audit log is intact: {result.Entries} entries, head {result.HeadHash}"
                : $"the audit log was tampered with: {result.Problems.Count + (headMatches ? 0 : 1)} problem(s) in {result.Entries} entries");
            return result.Intact && headMatches ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return new Command("audit", "The control plane's audit log.") { verify };
    }
}
