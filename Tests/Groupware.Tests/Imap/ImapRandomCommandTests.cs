using System.Text;

namespace Groupware.Tests.Imap;

/// <summary>
/// Bad input to a live session (RFC 9051 §7.1.3, §2.2.2): random arguments from the grammar's own
/// words to every command a selected session may run get a tagged OK, NO or BAD each, in order,
/// and the session goes on — never a crash, a dropped connection or a hang. Fixed seed, bounded
/// count; literal markers are left out so that no line waits for octets that will not come.
/// </summary>
public sealed class ImapRandomCommandTests
{
    private static readonly string[] Commands =
    [
        "CAPABILITY", "NOOP", "ID", "ENABLE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "NAMESPACE",
        "STATUS", "APPEND", "CHECK", "EXPUNGE", "UID EXPUNGE", "SEARCH", "UID SEARCH", "FETCH", "UID FETCH", "STORE", "UID STORE",
        "COPY", "UID COPY", "MOVE", "UID MOVE", "UID", "NOSUCHCOMMAND", "LOGIN", "",
    ];

    private static readonly string[] Pieces =
    [
        " ", " ", " ", "(", ")", "[", "]", "<", ">", ".", ":", ",", "*", "$", "%", "\"", "\\", "~", "+", "-", "&", "0", "1", "2", "7",
        "4294967296", "99999999999999999999", "\t", "é", "台", "NIL", "BODY", "BODY.PEEK", "BINARY", "BINARY.SIZE", "HEADER",
        "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT", "MIME", "FLAGS", "+FLAGS.SILENT", "-FLAGS", "UID", "ALL", "FAST", "ENVELOPE",
        "BODYSTRUCTURE", "RFC822", "OR", "NOT", "NEW", "KEYWORD", "SINCE", "1-Feb-1994", "\"1-Feb-1994\"", "RETURN", "CHARSET", "UTF-8",
        "MIN", "SAVE", "\\Seen", "\\Deleted", "\\*", "\\Recent", "INBOX", "Trash", "&U,BTFw-", "&-", "USE", "(\\Sent)", "SUBSCRIBED",
        "RECURSIVEMATCH", "CHILDREN", "STATUS", "MESSAGES", "1:*", "2,4:5", "1:3", "\"\"",
    ];

    [Test]
    public async Task Every_random_command_gets_its_tagged_answer_and_the_session_goes_on()
    {
        await using var node = await ImapFixture.StartSecureNodeAsync();
        var login = await ImapFixture.CreateAccountAsync();
        for (var n = 0; n < 5; n++)
        {
            await ImapFixture.DeliverAsync(node, login, ImapFixture.Message($"message {n}"));
        }

        await using var client = await ImapFixture.LogInAsync(node, login);
        var random = new Random(2180);
        var answered = new Dictionary<string, int>();
        for (var run = 0; run < 1500; run++)
        {
            // Re-select now and then: a random CREATE/DELETE/RENAME may take the selected mailbox away.
            if (run % 100 == 0)
            {
                Assert.That((await ImapFixture.CommandAsync(client, "s" + run, "SELECT INBOX"))[^1], Does.StartWith($"s{run} OK"));
            }

            var line = new StringBuilder(Commands[random.Next(Commands.Length)]);
            for (var part = random.Next(0, 9); part > 0; part--)
            {
                line.Append(Pieces[random.Next(Pieces.Length)]);
            }

            var tag = "t" + run;
            var text = line.ToString();
            var lines = await ImapFixture.CommandAsync(client, tag, text);
            var status = lines[^1].Split(' ')[1];
            Assert.That(status, Is.AnyOf("OK", "NO", "BAD"), $"{tag} {text}");
            Assert.That(lines, Has.None.StartWith("* BYE"), $"{tag} {text}");
            answered[status] = answered.GetValueOrDefault(status) + 1;
        }

        Assert.That((await ImapFixture.CommandAsync(client, "n", "NOOP"))[^1], Is.EqualTo("n OK NOOP completed."));
        Assert.That(answered.GetValueOrDefault("BAD"), Is.GreaterThan(100), "the alphabet makes mostly bad commands");
        Assert.That(answered.GetValueOrDefault("OK"), Is.GreaterThan(10), "and some good ones");
    }
}
