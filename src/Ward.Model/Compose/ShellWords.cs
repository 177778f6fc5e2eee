using System.Text;

namespace Ward.Model.Compose;

/// <summary>
/// Splits a command string into words as the Docker CLI does for <c>command:</c> and <c>entrypoint:</c> strings, with
/// the rules of google/shlex (not POSIX): space, tab, CR and LF separate words; single quotes keep everything; inside
/// double quotes a backslash escapes any character (<c>"a\nb"</c> is <c>anb</c>); a <c>#</c> that starts a word
/// comments out the rest of the line.
/// </summary>
public static class ShellWords
{
    private enum State
    {
        Start,
        InWord,
        Escaping,
        EscapingQuoted,
        QuotingEscaping,
        Quoting,
        Comment,
    }

    public static bool TrySplit(string text, out List<string> words, out string? error)
    {
        words = [];
        error = null;
        var current = new StringBuilder();
        var state = State.Start;
        foreach (var c in text)
        {
            var space = c is ' ' or '\t' or '\r' or '\n';
            switch (state)
            {
                case State.Start:
                    state = c switch
                    {
                        _ when space => State.Start,
                        '"' => State.QuotingEscaping,
                        '\'' => State.Quoting,
                        '\\' => State.Escaping,
                        '#' => State.Comment,
                        _ => State.InWord,
                    };
                    if (state == State.InWord)
                    {
                        current.Append(c);
                    }

                    break;
                case State.InWord when space:
                    words.Add(current.ToString());
                    current.Clear();
                    state = State.Start;
                    break;
                case State.InWord:
                    state = c switch
                    {
                        '"' => State.QuotingEscaping,
                        '\'' => State.Quoting,
                        '\\' => State.Escaping,
                        _ => State.InWord,
                    };
                    if (state == State.InWord)
                    {
                        current.Append(c);
                    }

                    break;
                case State.Escaping:
                    current.Append(c);
                    state = State.InWord;
                    break;
                case State.EscapingQuoted:
                    current.Append(c);
                    state = State.QuotingEscaping;
                    break;
                case State.QuotingEscaping:
                    state = c switch
                    {
                        '"' => State.InWord,
                        '\\' => State.EscapingQuoted,
                        _ => State.QuotingEscaping,
                    };
                    if (state == State.QuotingEscaping)
                    {
                        current.Append(c);
                    }

                    break;
                case State.Quoting:
                    if (c == '\'')
                    {
                        state = State.InWord;
                    }
                    else
                    {
                        current.Append(c);
                    }

                    break;
                case State.Comment:
                    if (c == '\n')
                    {
                        state = State.Start;
                    }

                    break;
            }
        }

        switch (state)
        {
            case State.InWord:
                words.Add(current.ToString());
                return true;
            case State.Escaping or State.EscapingQuoted:
                error = "the command ends with an escape character (\\); write \\\\ for a literal backslash";
                return false;
            case State.Quoting or State.QuotingEscaping:
                error = $"the command has an unclosed {(state == State.QuotingEscaping ? "double" : "single")} quote";
                return false;
            default:
                return true;
        }
    }
}
