using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Groupware.Tests.Imap;

/// <summary>One command of a script as sent (without its tag) and the server's answer to it, one logical response a line.</summary>
internal sealed record ImapExchange(string Tag, string Command, IReadOnlyList<string> Answer);

/// <summary>
/// A difference between the two servers that the RFCs allow, or that Dovecot causes, or one of ours
/// left for later: in the answer to the command <paramref name="Tag"/> (its text in the script; the
/// comparison puts its tag there) our line <paramref name="Ours"/> stands
/// where Dovecot sends <paramref name="Dovecot"/> (null: that server sends no such line; <c>{tag}</c>
/// stands for the command's tag). Both lines
/// must be there, exactly, or the allowance fails as stale; <paramref name="Reason"/> cites the RFC.
/// With both null (<see cref="Answer"/>) the whole answers may differ, and must.
/// </summary>
internal sealed record Allowance(string Tag, string? Ours, string? Dovecot, string Reason)
{
    /// <summary>The answers to <paramref name="tag"/> differ as a whole, for <paramref name="reason"/>; the allowance is stale when they agree.</summary>
    public static Allowance Answer(string tag, string reason) => new(tag, null, null, reason);

    public bool Whole => Ours is null && Dovecot is null;
}

/// <summary>What both servers must answer to the command <paramref name="Tag"/> (its text in the script), normalised, line by line.</summary>
internal sealed record Expectation(string Tag, params string[] Lines);

/// <summary>
/// Debian's Dovecot and our node side by side, each with a fresh mailbox owner per script who has
/// the folders of a new account (INBOX and the five special-use ones) and the
/// <see cref="DifferentialCorpus"/> appended to INBOX, logged in over implicit TLS.
/// </summary>
internal sealed class DifferentialServers : IAsyncDisposable
{
    /// <summary>Dovecot's users are fixed at its start; more than any test class needs.</summary>
    private const int DovecotUsers = 40;

    private readonly TestCertificates _certificates;
    private int _nextUser;

    private DifferentialServers(TestCertificates certificates, DovecotPeer dovecot, TestNode node)
    {
        _certificates = certificates;
        Dovecot = dovecot;
        Node = node;
    }

    public DovecotPeer Dovecot { get; }

    public TestNode Node { get; }

    public static async Task<DifferentialServers> StartAsync()
    {
        var certificates = new TestCertificates();
        var users = Enumerable.Range(1, DovecotUsers).ToDictionary(i => $"diff{i:D2}", _ => ImapFixture.Password);
        var dovecot = await DovecotPeer.StartAsync(new DovecotPeerOptions { Certificates = certificates, Users = users, SpecialUseMailboxes = true });
        try
        {
            return new DifferentialServers(certificates, dovecot, await ImapFixture.StartSecureNodeAsync(n => n.Certificates = certificates));
        }
        catch
        {
            await dovecot.DisposeAsync();
            certificates.Dispose();
            throw;
        }
    }

    /// <summary>A new mailbox owner on each server, the corpus delivered, one session each logged in.</summary>
    public async Task<DifferentialSessions> OpenAsync()
    {
        var number = Interlocked.Increment(ref _nextUser);
        if (number > DovecotUsers)
        {
            throw new InvalidOperationException($"more than {DovecotUsers} scripts in one class: raise {nameof(DovecotUsers)}");
        }

        var dovecotUser = $"diff{number:D2}";
        var ours = await LogInAsync(Node.EndPoint("imaps"), await ImapFixture.CreateAccountAsync());
        LineClient? dovecot = null;
        try
        {
            dovecot = await LogInAsync(Dovecot.Imaps!, dovecotUser);
            foreach (var client in new[] { ours, dovecot })
            {
                await AppendCorpusAsync(client);
            }

            return new DifferentialSessions(ours, dovecot, Dovecot);
        }
        catch
        {
            await ours.DisposeAsync();
            if (dovecot is not null)
            {
                await dovecot.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>
    /// The corpus into INBOX by APPEND, each message with an INTERNALDATE a day after the last: the
    /// same octets on both servers, where delivery would add each server's own trace fields, and
    /// dates that compare.
    /// </summary>
    private static async Task AppendCorpusAsync(LineClient client)
    {
        for (var i = 0; i < DifferentialCorpus.All.Count; i++)
        {
            var date = string.Create(CultureInfo.InvariantCulture, $"{i + 6:D2}-Feb-2024 10:00:00 +0100");
            await ImapFixture.AppendAsync(client, "INBOX", "", DifferentialCorpus.All[i], date);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await Dovecot.DisposeAsync();
        _certificates.Dispose();
    }

    private static async Task<LineClient> LogInAsync(System.Net.IPEndPoint endPoint, string login)
    {
        var client = await LineClient.ConnectAsync(endPoint, implicitTls: true);
        Assert.That(await client.ReadLineAsync(), Does.StartWith("* OK "), "greeting");
        var answer = await ImapFixture.CommandAsync(client, "L", $"LOGIN {login} \"{ImapFixture.Password}\"");
        Assert.That(answer[^1], Does.StartWith("L OK "), string.Join("\n", answer));
        return client;
    }
}

/// <summary>A logged-in session on each server, for one script.</summary>
internal sealed partial class DifferentialSessions(LineClient ours, LineClient dovecot, DovecotPeer peer) : IAsyncDisposable
{
    /// <summary>
    /// Sends each command, tagged <c>t1</c>, <c>t2</c>, ..., to both servers and reads the answers.
    /// A command may carry literals: <c>{n}</c> (or <c>{n+}</c>) and CRLF, then n octets, then the
    /// rest of the command; a synchronizing literal is sent after the server's continuation request.
    /// </summary>
    public async Task<(IReadOnlyList<ImapExchange> Ours, IReadOnlyList<ImapExchange> Dovecot)> RunAsync(IReadOnlyList<string> commands)
    {
        var answers = await Task.WhenAll(RunAsync(ours, commands), RunAsync(dovecot, commands));
        return (answers[0], answers[1]);
    }

    /// <summary>Dovecot's log, for failure messages.</summary>
    public string DovecotLog => peer.Log;

    public async ValueTask DisposeAsync()
    {
        await ours.DisposeAsync();
        await dovecot.DisposeAsync();
    }

    /// <summary>What an answer ends with when the server closed the connection instead of completing the command.</summary>
    public const string Closed = "(connection closed)";

    private static async Task<IReadOnlyList<ImapExchange>> RunAsync(LineClient client, IReadOnlyList<string> commands)
    {
        var exchanges = new List<ImapExchange>();
        var closed = false;
        for (var i = 0; i < commands.Count; i++)
        {
            var tag = string.Create(CultureInfo.InvariantCulture, $"t{i + 1}");
            List<string> answer = closed ? [Closed] : await SendOrClosedAsync(client, tag, commands[i]);
            closed = answer[^1] == Closed;
            exchanges.Add(new ImapExchange(tag, commands[i], answer));
        }

        return exchanges;
    }

    private static async Task<List<string>> SendOrClosedAsync(LineClient client, string tag, string command)
    {
        try
        {
            return await SendAsync(client, tag, command);
        }
        catch (IOException)
        {
            return [Closed];
        }
    }

    private static async Task<List<string>> SendAsync(LineClient client, string tag, string command)
    {
        var answer = new List<string>();
        var rest = Encoding.UTF8.GetBytes($"{tag} {command}");
        while (true)
        {
            var crlf = rest.AsSpan().IndexOf("\r\n"u8);
            if (crlf < 0)
            {
                await client.SendAsync((byte[])[.. rest, .. "\r\n"u8]);
                break;
            }

            var line = Encoding.UTF8.GetString(rest, 0, crlf);
            var literal = LiteralMarker().Match(line);
            if (!literal.Success)
            {
                throw new ArgumentException($"a CRLF in a command must follow a literal's {{n}}: {line}", nameof(command));
            }

            var length = int.Parse(literal.Groups[1].Value, CultureInfo.InvariantCulture);
            await client.SendAsync(rest.AsMemory(0, crlf + 2));
            if (literal.Groups[2].Value.Length == 0)
            {
                // A synchronizing literal: a refusal instead of "+" ends the command (RFC 9051 §7.5).
                var continuation = await ReadResponseAsync(client);
                answer.Add(continuation);
                if (!continuation.StartsWith('+'))
                {
                    var done = continuation.StartsWith(tag + " ", StringComparison.Ordinal) || continuation.EndsWith(Closed, StringComparison.Ordinal);
                    return done ? answer : [.. answer, .. await ReadAnswerAsync(client, tag)];
                }
            }

            await client.SendAsync(rest.AsMemory(crlf + 2, length));
            rest = rest[(crlf + 2 + length)..];
        }

        answer.AddRange(await ReadAnswerAsync(client, tag));
        return answer;
    }

    private static async Task<List<string>> ReadAnswerAsync(LineClient client, string tag)
    {
        var answer = new List<string>();
        while (true)
        {
            var response = await ReadResponseAsync(client);
            answer.Add(response);
            if (response.StartsWith(tag + " ", StringComparison.Ordinal) || response.EndsWith(Closed, StringComparison.Ordinal))
            {
                return answer;
            }
        }
    }

    /// <summary>
    /// One logical response: its lines joined, each literal written as <c>{n}</c> followed by its
    /// octets between « and » (CR, LF, controls and 8-bit octets as <c>\r</c>, <c>\n</c>, <c>\xNN</c>).
    /// </summary>
    private static async Task<string> ReadResponseAsync(LineClient client)
    {
        var response = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync(client);
            if (line is null)
            {
                return response.Length == 0 ? Closed : $"{response} {Closed}";
            }

            response.Append(line);
            var literal = ResponseLiteral().Match(line);
            if (!literal.Success)
            {
                return response.ToString();
            }

            var octets = await client.ReadOctetsAsync(int.Parse(literal.Groups[1].Value, CultureInfo.InvariantCulture));
            response.Append('«').Append(Escape(octets)).Append('»');
        }
    }

    private static async Task<string?> ReadLineAsync(LineClient client)
    {
        try
        {
            return await client.ReadLineAsync();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Escape(byte[] octets)
    {
        var text = new StringBuilder(octets.Length);
        foreach (var b in octets)
        {
            text.Append(b switch
            {
                (byte)'\r' => @"\r",
                (byte)'\n' => @"\n",
                (byte)'\\' => @"\\",
                < 0x20 or >= 0x7f => string.Create(CultureInfo.InvariantCulture, $@"\x{b:X2}"),
                _ => ((char)b).ToString(),
            });
        }

        return text.ToString();
    }

    [GeneratedRegex(@"\{([0-9]+)(\+?)\}$")]
    private static partial Regex LiteralMarker();

    [GeneratedRegex(@"~?\{([0-9]+)\}$")]
    private static partial Regex ResponseLiteral();
}
