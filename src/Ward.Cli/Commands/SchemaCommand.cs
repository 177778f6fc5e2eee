using System.CommandLine;

namespace Ward.Cli.Commands;

/// <summary><c>ward schema</c>: the JSON Schema of the environment file, for editors and CI.</summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        var command = new Command("schema", "Print the JSON Schema of the environment file (the repository keeps it as schema/ward-environment.schema.json).");
        command.SetAction(_ =>
        {
            Console.Out.Write(Model.Reading.EnvironmentFormat.JsonSchema());
            return ExitCodes.Ok;
        });
        return command;
    }
}
