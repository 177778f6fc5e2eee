using System.Text;

namespace Ward.Model.Compose;

/// <summary>
/// Splits a command string into words as the Docker CLI does for <c>command:</c> and <c>entrypoint:</c>
/// strings: whitespace separates words, single and double quotes group, backslash escapes.
/// </summary>
public static class ShellWords
{
    public static bool TrySplit(string text, out List<string> words, out string? error)
    {
        words = [];
        error = null;
        var current = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote == '\'')
            {
                if (c == '\'')
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }

                continue;
            }

            if (c == '\\' && quote != '\'')
            {
                if (i + 1 >= text.Length)
                {
                    error = "the command ends with an escape character";
                    return false;
                }

                var next = text[++i];
                if (quote == '"' && next is not ('"' or '\\' or '$' or '`' or '\n'))
                {
                    current.Append('\\');
                }

                if (next != '\n')
                {
                    current.Append(next);
                }

                inWord = true;
                continue;
            }

            if (quote == '"')
            {
                if (c == '"')
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }

                continue;
            }

            if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }

                continue;
            }

            current.Append(c);
            inWord = true;
        }

        if (quote != '\0')
        {
            error = $"the command has an unclosed {(quote == '"' ? "double" : "single")} quote";
            return false;
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return true;
    }
}
