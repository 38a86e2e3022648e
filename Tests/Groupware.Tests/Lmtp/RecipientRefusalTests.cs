using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// Every refusal of RCPT and of the final reply, with its RFC 3463 code: unknown 550 5.1.1,
/// disabled 550 5.2.1, over quota 552 5.2.2, too big for the quota or the node 552 5.3.4, too many
/// recipients 452 4.5.3. A refused recipient never gets a copy.
/// </summary>
public sealed class RecipientRefusalTests : LmtpNodeTest
{
    protected override void Configure(TestNodeOptions node) => node.Set("Mail:MaxRecipients", "3").Set("Mail:MaxMessageSize", "4096");

    [Test]
    public async Task An_unknown_address_is_550_5_1_1()
    {
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, """
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<no-such-user@example.test>
            S: 550 5.1.1 <no-such-user@example.test> No such user here
            """);
    }

    [Test]
    public async Task A_disabled_account_is_550_5_2_1()
    {
        var account = await MailAccounts.CreateAsync(Data, "disabled");
        await MailAccounts.SetDisabledAsync(Data, account.Id, true);
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 550 5.2.1 <{account.PrimaryAddress}> Mailbox disabled, not accepting messages
            """);
    }

    [Test]
    public async Task A_full_mailbox_is_552_5_2_2_at_RCPT_and_a_declared_size_that_would_overflow_it_too()
    {
        var full = await MailAccounts.CreateAsync(Data, "full", quotaBytes: 0);
        var nearly = await MailAccounts.CreateAsync(Data, "nearly", quotaBytes: 1000);
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{full.PrimaryAddress}>
            S: 552 5.2.2 <{full.PrimaryAddress}> Mailbox full: quota exceeded
            C: RSET
            S: 250 2.0.0 OK
            C: MAIL FROM:<a@example.org> SIZE=999
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{nearly.PrimaryAddress}>
            S: 250 2.1.5 <{nearly.PrimaryAddress}> Recipient OK
            """);
        await MailAccounts.SetQuotaAsync(Data, nearly.Id, 500);
        await Transcript.PlayAsync(client, $"""
            C: RSET
            S: 250 2.0.0 OK
            C: MAIL FROM:<a@example.org> SIZE=400
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{nearly.PrimaryAddress}>
            S: 250 2.1.5 <{nearly.PrimaryAddress}> Recipient OK
            """);
        await using var connection = await Data.OpenConnectionAsync();
        await using (var use = new Npgsql.NpgsqlCommand("UPDATE accounts SET used_bytes = 200 WHERE id = @id", connection))
        {
            use.Parameters.AddWithValue("id", nearly.Id);
            await use.ExecuteNonQueryAsync();
        }

        await Transcript.PlayAsync(client, $"""
            C: RCPT TO:<{nearly.PrimaryAddress}>
            S: 552 5.2.2 <{nearly.PrimaryAddress}> Mailbox full: quota exceeded
            """);
    }

    [Test]
    public async Task A_message_that_outgrows_the_quota_only_at_DATA_is_552_5_2_2_and_not_stored()
    {
        var small = await MailAccounts.CreateAsync(Data, "small", quotaBytes: 600);
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{small.PrimaryAddress}>
            S: 250 2.1.5 <{small.PrimaryAddress}> Recipient OK
            C: DATA
            S: 354 *
            C: Subject: big
            C:
            C: {new string('x', 700)}
            C: .
            S: 552 5.2.2 <{small.PrimaryAddress}> Mailbox full: quota exceeded
            """);
        Assert.That(await MailAccounts.MessagesAsync(Data, small.Id), Is.Empty);
        Assert.That(await MailAccounts.UsedBytesAsync(Data, small.Id), Is.Zero);
    }

    [Test]
    public async Task A_declared_size_over_the_node_limit_is_552_5_3_4_at_MAIL_and_over_the_quota_at_RCPT()
    {
        var account = await MailAccounts.CreateAsync(Data, "quota", quotaBytes: 2000);
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org> SIZE=4097
            S: 552 5.3.4 Message too big: the limit is 4096 octets
            C: MAIL FROM:<a@example.org> SIZE=3000
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 552 5.3.4 <{account.PrimaryAddress}> Message too big for this mailbox (quota 2000 octets)
            """);
    }

    [Test]
    public async Task A_body_over_the_node_limit_is_read_to_its_end_then_refused_552_5_3_4_and_the_session_stays_in_step()
    {
        var account = await MailAccounts.CreateAsync(Data, "limit");
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            """);
        await client.SendAsync("Subject: too big\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('y', 100) + "\r\n", 60)));
        await Transcript.PlayAsync(client, $"""
            C: .
            S: 552 5.3.4 <{account.PrimaryAddress}> Message too big: the limit is 4096 octets
            C: NOOP
            S: 250 2.0.0 OK
            """);
        Assert.That(await MailAccounts.MessagesAsync(Data, account.Id), Is.Empty);
    }

    [Test]
    public async Task Recipients_beyond_the_limit_are_452_4_5_3_and_the_accepted_ones_are_delivered()
    {
        var accounts = new List<Groupware.Storage.Accounts.Account>();
        for (var i = 0; i < 4; i++)
        {
            accounts.Add(await MailAccounts.CreateAsync(Data, "many"));
        }

        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{accounts[0].PrimaryAddress}>
            S: 250 2.1.5 *
            C: RCPT TO:<{accounts[1].PrimaryAddress}>
            S: 250 2.1.5 *
            C: RCPT TO:<{accounts[2].PrimaryAddress}>
            S: 250 2.1.5 *
            C: RCPT TO:<{accounts[3].PrimaryAddress}>
            S: 452 4.5.3 Too many recipients
            C: DATA
            S: 354 *
            C: Subject: three of four
            C:
            C: .
            S: 250 2.0.0 <{accounts[0].PrimaryAddress}> Saved as UID 1
            S: 250 2.0.0 <{accounts[1].PrimaryAddress}> Saved as UID 1
            S: 250 2.0.0 <{accounts[2].PrimaryAddress}> Saved as UID 1
            """);
        Assert.That(await MailAccounts.MessagesAsync(Data, accounts[3].Id), Is.Empty);
    }

    [Test]
    public async Task An_account_disabled_between_RCPT_and_the_end_of_DATA_is_refused_550_5_2_1()
    {
        var account = await MailAccounts.CreateAsync(Data, "late");
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            """);
        await MailAccounts.SetDisabledAsync(Data, account.Id, true);
        await Transcript.PlayAsync(client, $"""
            C: Subject: too late
            C:
            C: .
            S: 550 5.2.1 <{account.PrimaryAddress}> Mailbox disabled, not accepting messages
            """);
        Assert.That(await MailAccounts.MessagesAsync(Data, account.Id), Is.Empty);
    }
}
