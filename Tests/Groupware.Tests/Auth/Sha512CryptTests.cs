using System.Text;
using Groupware.Auth.Passwords;

namespace Groupware.Tests.Auth;

/// <summary>
/// SHA-512 crypt as Ulrich Drepper's specification defines it: the specification's own test vectors
/// (each checked against glibc's crypt(3) when this file was written), and fresh hashes from Debian's
/// <c>mkpasswd</c> made at test time.
/// </summary>
public sealed class Sha512CryptTests
{
    [TestCase("saltstring", 5000, false, "Hello world!",
        "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1")]
    [TestCase("saltstringsaltstring", 10000, true, "Hello world!",
        "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.")]
    [TestCase("toolongsaltstring", 5000, true, "This is just a test",
        "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0")]
    [TestCase("anotherlongsaltstring", 1400, true, "a very much longer text to encrypt.  This one even stretches over morethan one line.",
        "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1")]
    [TestCase("short", 77777, true, "we have a short salt string but not a short password",
        "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0")]
    [TestCase("asaltof16chars..", 123456, true, "a short string",
        "$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1")]
    public void The_specifications_test_vectors_are_reproduced_and_verify(string salt, int rounds, bool roundsGiven, string key, string expected)
    {
        Assert.That(Sha512Crypt.Compute(Encoding.UTF8.GetBytes(key), salt[..Math.Min(16, salt.Length)], rounds, roundsGiven), Is.EqualTo(expected));
        Assert.That(Sha512Crypt.Verify(key, expected), Is.True);
        Assert.That(Sha512Crypt.Verify(key + "x", expected), Is.False);
    }

    [Test]
    public void Too_few_rounds_are_raised_to_the_minimum_of_1000()
    {
        // The specification's last vector asks for rounds=10 and gets rounds=1000.
        Assert.That(Sha512Crypt.TryParse("$6$rounds=10$roundstoolow$" + new string('x', 86), out var rounds, out _, out _), Is.True);
        Assert.That(rounds, Is.EqualTo(Sha512Crypt.MinRounds));
        Assert.That(Sha512Crypt.Compute(Encoding.UTF8.GetBytes("the minimum number is still observed"), "roundstoolow", rounds, true),
            Is.EqualTo("$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX."));
    }

    [TestCase("$6$salt$short", TestName = "A hash of the wrong length")]
    [TestCase("$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF4rLgGM1", TestName = "SHA-256 crypt")]
    [TestCase("$6$rounds=2000000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", TestName = "More rounds than the server computes")]
    [TestCase("$6$rounds=x$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", TestName = "Rounds that are not a number")]
    public void A_string_that_is_not_a_usable_SHA_512_crypt_hash_is_unverifiable(string stored) =>
        Assert.That(Sha512Crypt.Verify("anything", stored), Is.Null);

    [TestCase("correct horse battery staple", null)]
    [TestCase("pässwörd€", null)]
    [TestCase("x", "5000")]
    [TestCase("with spaces and $ signs", "20000")]
    public async Task Fresh_hashes_from_mkpasswd_verify(string password, string? rounds)
    {
        var mkpasswd = ExternalProcess.Require("mkpasswd");
        string[] arguments = rounds is null ? ["-m", "sha-512", "--stdin"] : ["-m", "sha-512", "-R", rounds, "--stdin"];
        var result = await ExternalProcess.RunAsync(mkpasswd, arguments, password + "\n");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var hash = result.Output.Trim();
        Assert.That(hash, Does.StartWith("$6$"));
        Assert.That(Sha512Crypt.Verify(password, hash), Is.True, hash);
        Assert.That(Sha512Crypt.Verify(password + " ", hash), Is.False);
    }

    /// <summary>
    /// The work grows with the square of the password's length and with rounds times it (a 4096-character
    /// password against a hash of a million rounds took half a minute), so a password longer than any
    /// crypt(3) hashes (libxcrypt's CRYPT_MAX_PASSPHRASE_SIZE, 512 octets with the NUL) is refused unchecked.
    /// </summary>
    [Test]
    public async Task The_longest_password_crypt_hashes_verifies_and_a_longer_one_is_refused_unchecked()
    {
        var longest = "pässwörd" + new string('x', Sha512Crypt.MaxPasswordOctets - Encoding.UTF8.GetByteCount("pässwörd"));
        Assert.That(Encoding.UTF8.GetByteCount(longest), Is.EqualTo(511));
        var mkpasswd = ExternalProcess.Require("mkpasswd");
        var made = await ExternalProcess.RunAsync(mkpasswd, ["-m", "sha-512", "--stdin"], longest + "\n");
        Assert.That(made.ExitCode, Is.Zero, made.ToString());
        Assert.That(Sha512Crypt.Verify(longest, made.Output.Trim()), Is.True);

        var refused = await ExternalProcess.RunAsync(mkpasswd, ["-m", "sha-512", "--stdin"], longest + "y\n");
        Assert.That(refused.ExitCode, Is.Not.Zero, "crypt(3) makes no hash of a longer password");

        // Made here, as no crypt(3) would: even the right password is not computed.
        var longer = longest + "y";
        var stored = Sha512Crypt.Compute(Encoding.UTF8.GetBytes(longer), "saltstring", Sha512Crypt.DefaultRounds, roundsGiven: false);
        Assert.That(Sha512Crypt.Verify(longer, stored), Is.False);
    }
}
