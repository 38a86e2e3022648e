using Groupware.Storage.Accounts;

namespace Groupware.Tests.Storage;

/// <summary>What a login name and an address may be (RFC 5321 §4.1.2 and §4.5.3.1, RFC 6531 §3.3).</summary>
public sealed class AccountSyntaxTests
{
    [TestCase("alice")]
    [TestCase("alice.smith")]
    [TestCase("alice@example.test")]
    [TestCase("jürgen")]
    [TestCase("printer-3rd_floor")]
    public void A_usable_login_is_accepted(string login) => Assert.That(AccountSyntax.IsValidLogin(login, out _), Is.True);

    [TestCase("")]
    [TestCase("alice smith")]
    [TestCase("-alice")]
    [TestCase("al\"ice")]
    [TestCase("al\\ice")]
    [TestCase("al\tice")]
    [TestCase("al\u200Bice")]
    public void A_login_no_protocol_can_carry_plainly_is_refused(string login) =>
        Assert.That(AccountSyntax.IsValidLogin(login, out var reason), Is.False, reason);

    [Test]
    public void A_login_longer_than_64_characters_is_refused() =>
        Assert.That(AccountSyntax.IsValidLogin(new string('a', 65), out _), Is.False);

    [TestCase("alice@example.test")]
    [TestCase("alice.smith+tag@mail.example.test")]
    [TestCase("o'brien@example.test")]
    [TestCase("jürgen@bücher.example")]
    [TestCase("x@a-b.example")]
    public void A_mailbox_in_RFC_5321_form_is_accepted(string address) =>
        Assert.That(AccountSyntax.IsValidAddress(address, out var reason), Is.True, reason);

    [TestCase("alice")]
    [TestCase("@example.test")]
    [TestCase("alice@")]
    [TestCase("alice@localhost")]
    [TestCase("alice..smith@example.test")]
    [TestCase(".alice@example.test")]
    [TestCase("alice smith@example.test")]
    [TestCase("\"alice smith\"@example.test")]
    [TestCase("alice@-example.test")]
    [TestCase("alice@example..test")]
    [TestCase("alice@[192.0.2.1]")]
    [TestCase("alice@exa_mple.test")]
    public void Anything_else_is_refused(string address) =>
        Assert.That(AccountSyntax.IsValidAddress(address, out _), Is.False);

    [Test]
    public void Local_parts_over_64_octets_and_addresses_over_254_are_refused()
    {
        Assert.That(AccountSyntax.IsValidAddress(new string('a', 65) + "@example.test", out _), Is.False);
        Assert.That(AccountSyntax.IsValidAddress(new string('a', 64) + "@example.test", out _), Is.True);
        Assert.That(AccountSyntax.IsValidAddress("a@" + string.Join('.', Enumerable.Repeat(new string('d', 60), 5)), out _), Is.False);
    }
}
