using System.CommandLine;
using System.Runtime;
using Microsoft.Extensions.Options;
using Ward.Server;

namespace Ward.Cli.Commands;

/// <summary><c>ward serve</c>: the HTTP API and web console.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var data = new Option<string?>("--data") { Description = "The data folder (SQLite store; default /var/lib/ward/data).", HelpName = "DIR" };
        var store = new Option<string?>("--store") { Description = "sqlite (default) or postgres." };
        var connection = new Option<string?>("--connection") { Description = "The PostgreSQL connection string, with --store postgres." };
        var command = new Command("serve", "Serve the HTTP API (/api/v1, OpenAPI at /openapi/v1.json) and the web console. More settings: Ward:* configuration keys or WARD_SERVER_Ward__* variables.")
        {
            urls, data, store, connection,
        };
        command.SetAction(async (parse, token) =>
        {
            var args = new List<string> { "--urls", parse.GetValue(urls)! };
            AddSetting(args, "DataDirectory", parse.GetValue(data));
            AddSetting(args, "StoreProvider", parse.GetValue(store));
            AddSetting(args, "StoreConnectionString", parse.GetValue(connection));
            if (GCSettings.LatencyMode == GCLatencyMode.Batch)
            {
                // The build turns background collection off for the one-shot commands; ./ward turns it back on for serve.
                Console.Error.WriteLine("ward serve: background garbage collection is off, so collections pause requests longer; start the server with ./ward serve, or set DOTNET_gcConcurrent=1");
            }

            try
            {
                var app = WardServer.Build([.. args]);
                await WardServer.RunAsync(app, token);
                return ExitCodes.Ok;
            }
            catch (OptionsValidationException e)
            {
                foreach (var failure in e.Failures)
                {
                    Console.Error.WriteLine($"ward serve: {failure}");
                }

                return ExitCodes.Usage;
            }
            catch (IOException e) when (e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"ward serve: {parse.GetValue(urls)} is in use by another process");
                return ExitCodes.Unavailable;
            }
        });
        return command;
    }

    private static void AddSetting(List<string> args, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            args.Add($"--{ServerOptions.Section}:{key}={value}");
        }
    }
}
