using System.Text.Json;

namespace Ward.Rules.Reports;

/// <summary>
/// Machine-readable findings: <c>{"findings":[{rule, severity, path, message, file, line, column, waived, ...}],
/// "summary":{errors, warnings, info, waived}}</c>. Field names are a contract for CI scripts.
/// </summary>
public static class JsonReport
{
    public static void Write(Stream stream, ReportInput input)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("file", input.File);
        json.WriteString("environment", input.EnvironmentName);
        json.WriteString("profile", input.Result.Profile.ToString().ToLowerInvariant());
        json.WriteStartArray("findings");
        foreach (var finding in input.Result.Findings)
        {
            WriteFinding(json, finding, input.File);
        }

        json.WriteEndArray();
        json.WriteStartArray("notChecked");
        foreach (var item in input.Result.NotChecked)
        {
            json.WriteStartObject();
            json.WriteString("rule", item.Rule);
            json.WriteString("reason", item.Reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        var summary = input.Result.Summary;
        json.WriteStartObject("summary");
        json.WriteNumber("errors", summary.Errors);
        json.WriteNumber("warnings", summary.Warnings);
        json.WriteNumber("info", summary.Info);
        json.WriteNumber("waived", summary.Waived);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteFinding(Utf8JsonWriter json, Finding finding, string file)
    {
        var descriptor = RuleCatalog.Find(finding.Rule)?.Descriptor;
        json.WriteStartObject();
        json.WriteString("rule", finding.Rule);
        json.WriteString("severity", ReportInput.SeverityWord(finding.Severity));
        json.WriteString("path", finding.Path);
        json.WriteString("message", finding.Message);
        WriteOptional(json, "subject", finding.Subject);
        WriteOptional(json, "value", finding.Value);
        WriteOptional(json, "title", descriptor?.Title);
        WriteOptional(json, "why", descriptor?.Why);
        WriteOptional(json, "fix", descriptor?.Fix);
        json.WriteString("file", finding.Location?.File ?? file);
        if (finding.Location is { } location)
        {
            json.WriteNumber("line", location.Line);
            json.WriteNumber("column", location.Column);
        }
        else
        {
            json.WriteNull("line");
            json.WriteNull("column");
        }

        json.WriteBoolean("waived", finding.Waived);
        WriteOptional(json, "waiverReason", finding.WaiverReason);
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
