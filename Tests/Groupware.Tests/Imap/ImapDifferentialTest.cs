using System.Globalization;
using System.Text;

namespace Groupware.Tests.Imap;

/// <summary>
/// What every differential test class shares: Debian's Dovecot 2.3 and our node, started once per
/// class, and <see cref="CompareAsync"/>, which runs a script on both with a fresh mailbox owner
/// each and fails on every normalised answer that differs and is not an <see cref="Allowance"/>.
/// </summary>
public abstract class ImapDifferentialTest
{
    private DifferentialServers _servers = null!;

    [OneTimeSetUp]
    public async Task StartServersAsync() => _servers = await DifferentialServers.StartAsync();

    [OneTimeTearDown]
    public async Task StopServersAsync() => await _servers.DisposeAsync();

    /// <summary>A literal for a script command: <c>{n}</c>, CRLF and the octets.</summary>
    internal static string Literal(string octets) => $"{{{Encoding.UTF8.GetByteCount(octets)}}}\r\n{octets}";

    /// <summary>
    /// Runs <paramref name="script"/> on both servers and compares the answers command by command,
    /// after <see cref="ImapAnswerNormaliser"/> and the <paramref name="allowed"/> differences; then
    /// checks the <paramref name="expected"/> answers on both. Both transcripts go to the test's output.
    /// </summary>
    internal async Task CompareAsync(IReadOnlyList<string> script, IReadOnlyList<Allowance>? allowed = null,
        IReadOnlyList<Expectation>? expected = null)
    {
        allowed = [.. (allowed ?? []).Select(a => TagOf(script, a.Tag) is var t
            ? a with { Tag = t, Ours = a.Ours?.Replace("{tag}", t, StringComparison.Ordinal), Dovecot = a.Dovecot?.Replace("{tag}", t, StringComparison.Ordinal) }
            : a)];
        expected = [.. (expected ?? []).Select(e => TagOf(script, e.Tag) is var t
            ? e with { Tag = t, Lines = [.. e.Lines.Select(l => l.Replace("{tag}", t, StringComparison.Ordinal))] }
            : e)];
        await using var sessions = await _servers.OpenAsync();
        var (ours, dovecot) = await sessions.RunAsync(script);
        var (ourNormaliser, dovecotNormaliser) = (new ImapAnswerNormaliser(), new ImapAnswerNormaliser());
        var problems = new StringBuilder();
        var transcript = new StringBuilder();
        foreach (var tag in allowed.Select(a => a.Tag).Concat(expected.Select(e => e.Tag)).Where(t => ours.All(e => e.Tag != t)))
        {
            problems.AppendLine(CultureInfo.InvariantCulture, $"{tag}: an allowance or expectation names no command of the script, or one it has twice");
        }

        for (var i = 0; i < ours.Count; i++)
        {
            var (tag, command) = (ours[i].Tag, ours[i].Command);
            var ourAnswer = ourNormaliser.Normalise(ours[i]).ToList();
            var dovecotAnswer = dovecotNormaliser.Normalise(dovecot[i]).ToList();
            transcript.AppendLine(CultureInfo.InvariantCulture, $"C: {tag} {Shown(command)}");
            Show(transcript, "ours", ours[i].Answer);
            Show(transcript, "dovecot", dovecot[i].Answer);

            foreach (var expectation in expected.Where(e => e.Tag == tag))
            {
                foreach (var (server, answer) in new[] { ("ours", ourAnswer), ("dovecot", dovecotAnswer) })
                {
                    if (!Matches(expectation.Lines, answer))
                    {
                        problems.AppendLine(CultureInfo.InvariantCulture, $"{tag} {Shown(command)}: {server} does not give the expected answer")
                            .AppendLine("  expected: " + string.Join("\n            ", expectation.Lines))
                            .AppendLine("  got:      " + string.Join("\n            ", answer));
                    }
                }
            }

            if (allowed.FirstOrDefault(a => a.Tag == tag && a.Whole) is { } whole)
            {
                if (ourAnswer.SequenceEqual(dovecotAnswer, StringComparer.Ordinal))
                {
                    problems.AppendLine(CultureInfo.InvariantCulture, $"{tag} {Shown(command)}: the answers agree now; the allowance ({whole.Reason}) is stale");
                }

                continue;
            }

            foreach (var allowance in allowed.Where(a => a.Tag == tag))
            {
                if (!Allow(ourAnswer, allowance.Ours, dovecotAnswer, allowance.Dovecot))
                {
                    problems.AppendLine(CultureInfo.InvariantCulture, $"{tag} {Shown(command)}: the allowance ({allowance.Reason}) no longer holds")
                        .AppendLine(CultureInfo.InvariantCulture, $"  allowed ours:    {allowance.Ours ?? "(no line)"}")
                        .AppendLine(CultureInfo.InvariantCulture, $"  allowed dovecot: {allowance.Dovecot ?? "(no line)"}");
                }
            }

            if (!ourAnswer.SequenceEqual(dovecotAnswer, StringComparer.Ordinal))
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"{tag} {Shown(command)}");
                foreach (var line in Diff(ourAnswer, dovecotAnswer))
                {
                    problems.AppendLine("  " + line);
                }
            }
        }

        await TestContext.Out.WriteLineAsync(transcript.ToString());
        Assert.That(problems.ToString(), Is.Empty, "the servers' answers differ");
    }

    /// <summary>
    /// The tag a script gives <paramref name="command"/> (<c>t1</c> for the first): allowances and
    /// expectations name the command by its text, which stays right when the script changes; a text
    /// that is no command of the script, or more than one, stays as it is and is reported.
    /// </summary>
    private static string TagOf(IReadOnlyList<string> script, string command)
    {
        var matches = script.Select((c, i) => (Command: c, Tag: string.Create(CultureInfo.InvariantCulture, $"t{i + 1}")))
            .Where(c => c.Command == command).ToList();
        return matches.Count == 1 ? matches[0].Tag : command;
    }

    /// <summary>
    /// Takes the allowed lines out of both answers: a line one server sends for the other's is
    /// replaced by the same marker in both, so the rest still lines up; a line only one sends is
    /// removed. False, changing nothing, when a line is not there.
    /// </summary>
    private static bool Allow(List<string> ours, string? ourLine, List<string> dovecot, string? dovecotLine)
    {
        var (ourIndex, dovecotIndex) = (ourLine is null ? -1 : ours.IndexOf(ourLine), dovecotLine is null ? -1 : dovecot.IndexOf(dovecotLine));
        if ((ourLine is not null && ourIndex < 0) || (dovecotLine is not null && dovecotIndex < 0))
        {
            return false;
        }

        if (ourIndex >= 0 && dovecotIndex >= 0)
        {
            (ours[ourIndex], dovecot[dovecotIndex]) = ("(allowed difference)", "(allowed difference)");
        }
        else if (ourIndex >= 0)
        {
            ours.RemoveAt(ourIndex);
        }
        else if (dovecotIndex >= 0)
        {
            dovecot.RemoveAt(dovecotIndex);
        }

        return true;
    }

    /// <summary>The lines of both answers in order, those of only one marked <c>ours</c> or <c>dovecot</c> (a longest common subsequence).</summary>
    private static List<string> Diff(List<string> ours, List<string> dovecot)
    {
        var common = new int[ours.Count + 1, dovecot.Count + 1];
        for (var i = ours.Count - 1; i >= 0; i--)
        {
            for (var j = dovecot.Count - 1; j >= 0; j--)
            {
                common[i, j] = ours[i] == dovecot[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var lines = new List<string>();
        var (o, d) = (0, 0);
        while (o < ours.Count || d < dovecot.Count)
        {
            if (o < ours.Count && d < dovecot.Count && ours[o] == dovecot[d])
            {
                lines.Add("  both:    " + ours[o++]);
                d++;
            }
            else if (o < ours.Count && (d == dovecot.Count || common[o + 1, d] >= common[o, d + 1]))
            {
                lines.Add("- ours:    " + ours[o++]);
            }
            else
            {
                lines.Add("+ dovecot: " + dovecot[d++]);
            }
        }

        return lines;
    }

    private static bool Matches(string[] expected, List<string> answer) => expected.SequenceEqual(answer, StringComparer.Ordinal);

    private static void Show(StringBuilder transcript, string server, IReadOnlyList<string> answer)
    {
        foreach (var line in answer)
        {
            transcript.AppendLine(CultureInfo.InvariantCulture, $"  {server,-7} S: {line}");
        }
    }

    private static string Shown(string command) => command.Replace("\r\n", "\\r\\n", StringComparison.Ordinal);
}
