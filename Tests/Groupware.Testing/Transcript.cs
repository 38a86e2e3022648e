using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Groupware.Testing;

/// <summary>The server's answer differed from the transcript.</summary>
public sealed class TranscriptMismatchException(string message) : Exception(message);

/// <summary>
/// Plays a transcript written as the RFCs write them, for every line protocol's tests: <c>C: </c>
/// lines are sent with CRLF, <c>S: </c> lines are read and compared (a bare <c>S:</c> is an empty
/// line), <c>*</c> in a server line matching any text; other lines (blank, comments) are ignored. Literals are written as the RFCs
/// write them too (RFC 9051 §7.5, RFC 7888 §3): a client line ending in <c>{n}</c>, <c>{n+}</c> or
/// <c>~{n}</c> is followed by client lines that carry the n octets (each with its CRLF), and the
/// command goes on after them on the same line; for a synchronizing literal the server's <c>+</c>
/// continuation is an <c>S: </c> line before the data, and a refusal there means the client sends none
/// of it. The player checks that the literal lines
/// really hold n octets, so a miscounted transcript fails as such. Fails naming the first line that
/// differs.
/// </summary>
public static partial class Transcript
{
    public static async Task PlayAsync(LineClient client, string transcript)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(transcript);
        var number = 0;
        long literalLeft = 0;
        var literalLine = 0;
        var awaitingContinuation = false;
        foreach (var raw in transcript.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("C: ", StringComparison.Ordinal) || line == "C:")
            {
                var text = line.Length > 3 ? line[3..] : "";
                var octets = Encoding.UTF8.GetBytes(text);
                var rest = text;
                awaitingContinuation = false;
                if (literalLeft > 0)
                {
                    // This line carries (the rest of) a literal; what follows it within the line continues the command.
                    if (octets.Length + 2 <= literalLeft)
                    {
                        literalLeft -= octets.Length + 2;
                        rest = "";
                    }
                    else if (octets.Length + 1 == literalLeft)
                    {
                        throw new TranscriptMismatchException($"line {number}: the literal announced on line {literalLine} ends inside a CRLF");
                    }
                    else
                    {
                        rest = Encoding.UTF8.GetString(octets, (int)literalLeft, octets.Length - (int)literalLeft);
                        literalLeft = 0;
                    }
                }

                if (literalLeft == 0 && (rest.Length > 0 || octets.Length == 0))
                {
                    literalLeft = LiteralAnnounced(rest, number);
                    literalLine = number;
                    awaitingContinuation = literalLeft > 0 && !rest.EndsWith("+}", StringComparison.Ordinal);
                }

                await client.SendLineAsync(text);
            }
            else if (line.StartsWith("S: ", StringComparison.Ordinal) || line == "S:")
            {
                var expected = line.Length > 3 ? line[3..] : "";
                var actual = await client.ReadLineAsync();
                if (actual is null)
                {
                    throw new TranscriptMismatchException($"line {number}: the server closed the connection; expected \"{expected}\"");
                }

                if (!Matches(expected, actual))
                {
                    throw new TranscriptMismatchException($"line {number}: expected \"{expected}\", got \"{actual}\"");
                }

                // A synchronizing literal answered with anything but a continuation is not sent (RFC 9051 §7.5).
                if (awaitingContinuation && !actual.StartsWith('+'))
                {
                    literalLeft = 0;
                }

                awaitingContinuation = false;
            }
        }

        if (literalLeft > 0)
        {
            throw new TranscriptMismatchException($"the literal announced on line {literalLine} lacks {literalLeft} octets");
        }
    }

    /// <summary>The octet count of the literal a client line announces at its end, or 0.</summary>
    private static long LiteralAnnounced(string text, int number)
    {
        var match = LiteralMarker().Match(text);
        if (!match.Success)
        {
            return 0;
        }

        var count = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return count == 0 ? throw new TranscriptMismatchException($"line {number}: a zero-length literal has no data lines to write") : count;
    }

    private static bool Matches(string pattern, string actual) =>
        Regex.IsMatch(actual, "^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.None, TimeSpan.FromSeconds(1));

    [GeneratedRegex(@"~?\{([0-9]{1,18})\+?\}$")]
    private static partial Regex LiteralMarker();
}
