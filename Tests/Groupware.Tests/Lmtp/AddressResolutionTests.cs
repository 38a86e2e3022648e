using Groupware.Tests.Support;

namespace Groupware.Tests.Lmtp;

/// <summary>
/// RCPT resolves through the primary address, aliases and subaddresses (<c>user+tag@domain</c>),
/// whatever their case; Delivered-To keeps the address as the client wrote it.
/// </summary>
public sealed class AddressResolutionTests : LmtpNodeTest
{
    [Test]
    public async Task Primary_alias_subaddress_and_subaddressed_alias_all_reach_the_account()
    {
        var account = await MailAccounts.CreateAsync(Data, "res", null, "info");
        var (local, domain) = Split(account.PrimaryAddress);
        var alias = account.Aliases[0];
        var (aliasLocal, _) = Split(alias);
        string[] addresses =
        [
            account.PrimaryAddress,
            account.PrimaryAddress.ToUpperInvariant(),
            alias,
            $"{local}+newsletters@{domain}",
            $"{aliasLocal}+x+y@{domain}",
        ];

        foreach (var address in addresses)
        {
            await using var client = await ConnectAndGreetAsync();
            await Transcript.PlayAsync(client, $"""
                C: MAIL FROM:<a@example.org>
                S: 250 2.1.0 Sender OK
                C: RCPT TO:<{address}>
                S: 250 2.1.5 <{address}> Recipient OK
                C: DATA
                S: 354 *
                C: Subject: to {address}
                C:
                C: hello
                C: .
                S: 250 2.0.0 <{address}> Saved as UID *
                """);
        }

        var stored = await MailAccounts.MessagesAsync(Data, account.Id);
        Assert.That(stored.Select(m => m.Subject), Is.EqualTo(addresses.Select(a => $"to {a}")));
        Assert.That(stored.Select(m => m.TraceFields.Split("\r\n")[1]), Is.EqualTo(addresses.Select(a => $"Delivered-To: {a}")));
        Assert.That(stored.Select(m => m.Uid), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
    }

    [Test]
    public async Task A_quoted_local_part_reaches_the_account_its_unquoted_form_names()
    {
        // RFC 5321 §4.1.2: "john" and john are one local part; the final host must not tell them apart.
        var account = await MailAccounts.CreateAsync(Data, "quoted");
        var (local, domain) = Split(account.PrimaryAddress);
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<"{local}"@{domain}>
            S: 250 2.1.5 *
            C: RCPT TO:<"{local}+t\ag"@{domain}>
            S: 250 2.1.5 *
            C: RCPT TO:<"{local} "@{domain}>
            S: 550 5.1.1 *
            """);
    }

    [Test]
    public async Task A_subaddress_of_an_unknown_user_is_still_unknown()
    {
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, """
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<nobody+tag@example.test>
            S: 550 5.1.1 <nobody+tag@example.test> No such user here
            C: RCPT TO:<+tag@example.test>
            S: 550 5.1.1 <+tag@example.test> No such user here
            """);
    }

    [Test]
    public async Task Two_recipients_naming_one_account_store_one_copy_and_both_get_250()
    {
        var account = await MailAccounts.CreateAsync(Data, "twice", null, "sales");
        await using var client = await ConnectAndGreetAsync();
        await Transcript.PlayAsync(client, $"""
            C: MAIL FROM:<a@example.org>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<{account.Aliases[0]}>
            S: 250 2.1.5 *
            C: RCPT TO:<{account.PrimaryAddress}>
            S: 250 2.1.5 *
            C: DATA
            S: 354 *
            C: Subject: once
            C:
            C: .
            S: 250 2.0.0 <{account.Aliases[0]}> Saved as UID 1
            S: 250 2.0.0 <{account.PrimaryAddress}> Saved as UID 1
            """);
        var stored = await MailAccounts.MessagesAsync(Data, account.Id);
        Assert.That(stored, Has.Count.EqualTo(1));
        Assert.That(stored[0].TraceFields, Does.Contain($"Delivered-To: {account.Aliases[0]}\r\n"));
    }

    private static (string Local, string Domain) Split(string address)
    {
        var at = address.LastIndexOf('@');
        return (address[..at], address[(at + 1)..]);
    }
}
