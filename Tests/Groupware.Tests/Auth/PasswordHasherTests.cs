using Groupware.Auth;
using Groupware.Auth.Passwords;

namespace Groupware.Tests.Auth;

/// <summary>New hashes: Argon2id in Dovecot's format with the configured parameters, and when a stored hash is upgraded.</summary>
public sealed class PasswordHasherTests
{
    private static readonly PasswordHasher Default = new(new AuthOptions());

    [Test]
    public void A_new_hash_is_Argon2id_in_Dovecots_format_with_the_configured_parameters()
    {
        var hasher = new PasswordHasher(new AuthOptions { Argon2MemoryKiB = 1024, Argon2Iterations = 3, Argon2Parallelism = 2 });
        var hash = hasher.Hash("correct horse battery staple");
        Assert.That(hash, Does.Match(@"^\{ARGON2ID\}\$argon2id\$v=19\$m=1024,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$"));
        Assert.That(hasher.Verify("correct horse battery staple", hash), Is.EqualTo(PasswordCheck.Match));
        Assert.That(hasher.Verify("correct horse battery stapler", hash), Is.EqualTo(PasswordCheck.Mismatch));
    }

    [Test]
    public void Two_hashes_of_one_password_differ_by_their_salt()
    {
        var first = Default.Hash("same");
        var second = Default.Hash("same");
        Assert.That(first, Is.Not.EqualTo(second));
    }

    [Test]
    public async Task Doveadm_verifies_a_hash_made_here()
    {
        // The other direction of the import tests: a hash written here is one Dovecot accepts.
        var hash = Default.Hash("pässwörd€");
        var result = await ExternalProcess.RunAsync(ExternalProcess.Require("doveadm"), ["pw", "-t", hash, "-p", "pässwörd€"]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.All, Does.Contain("verified"));
    }

    [Test]
    public void An_Argon2id_hash_with_other_parameters_than_the_configured_ones_is_replaced()
    {
        var weaker = new PasswordHasher(new AuthOptions { Argon2MemoryKiB = 1024, Argon2Iterations = 2 }).Hash("x");
        var fewerPasses = new PasswordHasher(new AuthOptions { Argon2Iterations = 1 }).Hash("x");
        var stronger = new PasswordHasher(new AuthOptions { Argon2MemoryKiB = 32768, Argon2Iterations = 3 }).Hash("x");
        Assert.Multiple(() =>
        {
            Assert.That(Default.NeedsUpgrade(weaker), Is.True);
            Assert.That(Default.NeedsUpgrade(fewerPasses), Is.True);
            Assert.That(Default.NeedsUpgrade(Default.Hash("x")), Is.False);
            Assert.That(Default.NeedsUpgrade(stronger), Is.True, "the configured parameters are the policy, also downwards");
            Assert.That(Default.NeedsUpgrade(Default.Hash("x")["{ARGON2ID}".Length..]), Is.True, "a bare PHC string is rewritten in Dovecot's form");
        });
    }

    [TestCase("$argon2id$v=19$m=5000000,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", TestName = "More memory than the server allows")]
    [TestCase("$argon2id$v=19$m=1024,t=100,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", TestName = "More passes than the server allows")]
    [TestCase("$argon2id$v=19$m=2097152,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", TestName = "More memory than a stored hash may ask (2 GiB)")]
    [TestCase("$argon2id$v=19$m=1048576,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", TestName = "More work than a stored hash may ask (1 GiB, 2 passes)")]
    [TestCase("$argon2id$v=16$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", TestName = "Argon2 version 1.0")]
    [TestCase("$argon2id$v=19$m=1024,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", TestName = "No lanes parameter")]
    [TestCase("$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", TestName = "Argon2i, not Argon2id")]
    [TestCase("$argon2id$v=19$m=1024,t=1,p=1$!!!$aGFzaGhhc2hoYXNo", TestName = "A salt that is not base64")]
    [TestCase("{BLF-CRYPT}$2y$31$s24IDLh3QCehfbJVozY3re/vdAu4D6BuGs.Qh8QWwC9oR.FsU6RN6", TestName = "A bcrypt cost beyond the bound")]
    [TestCase("{SSHA512}c2hvcnQ=", TestName = "SSHA512 shorter than a digest")]
    public void A_hash_asking_for_too_much_or_malformed_is_unverifiable(string stored) =>
        Assert.That(Default.Verify("x", stored), Is.EqualTo(PasswordCheck.Unverifiable));

    /// <summary>
    /// Dovecot's {CRYPT} holds a crypt(3) string, never another {SCHEME}. Unwrapped level after level,
    /// each copying the rest, an imported hash of many {CRYPT} prefixes cost time with the square of its
    /// length (7 s for 140 KB) at every login attempt on the account, by anyone; at 1.4 MB it crashed
    /// the process, which no handler can catch.
    /// </summary>
    [Test]
    public void CRYPT_wrapping_another_scheme_is_unverifiable_however_deep()
    {
        const string Sha512 = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
        Assert.Multiple(() =>
        {
            Assert.That(Default.Verify("Hello world!", "{CRYPT}" + Sha512), Is.EqualTo(PasswordCheck.Match));
            Assert.That(Default.Verify("Hello world!", "{CRYPT}{SHA512-CRYPT}" + Sha512), Is.EqualTo(PasswordCheck.Unverifiable));
            Assert.That(Default.Verify("Hello world!", string.Concat(Enumerable.Repeat("{CRYPT}", 200_000)) + Sha512),
                Is.EqualTo(PasswordCheck.Unverifiable));
            Assert.That(PasswordHasher.SchemeOf(string.Concat(Enumerable.Repeat("{CRYPT}", 200_000)) + Sha512), Is.Empty);
        });
    }
}
