using System.Text.RegularExpressions;

namespace Groupware.Tests.Support;

/// <summary>
/// Plays a transcript written as the RFCs write them: <c>C: </c> lines are sent (CRLF added),
/// <c>S: </c> lines are read and compared; <c>*</c> in a server line matches any text. Other
/// lines (blank, comments) are ignored. Fails naming the first line that differs.
/// </summary>
public static class LmtpTranscript
{
    public static async Task PlayAsync(LineClient client, string transcript)
    {
        var number = 0;
        foreach (var raw in transcript.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("C: ", StringComparison.Ordinal) || line == "C:")
            {
                await client.SendLineAsync(line.Length > 3 ? line[3..] : "");
            }
            else if (line.StartsWith("S: ", StringComparison.Ordinal))
            {
                var expected = line[3..];
                var actual = await client.ReadLineAsync();
                Assert.That(actual, Is.Not.Null, $"line {number}: the server closed the connection; expected \"{expected}\"");
                Assert.That(Matches(expected, actual!), Is.True, $"line {number}: expected \"{expected}\", got \"{actual}\"");
            }
        }
    }

    private static bool Matches(string pattern, string actual) =>
        Regex.IsMatch(actual, "^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.None, TimeSpan.FromSeconds(1));
}
