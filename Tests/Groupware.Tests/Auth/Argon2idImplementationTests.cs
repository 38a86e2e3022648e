using System.Security.Cryptography;
using System.Text;
using Groupware.Auth.Passwords;
using NSec.Cryptography;

namespace Groupware.Tests.Auth;

/// <summary>
/// The two Argon2id implementations (RFC 9106): libsodium where it accepts the parameters, BouncyCastle
/// for the rest. Both give the same tag for the same inputs, and the same as the reference implementation.
/// </summary>
public sealed class Argon2idImplementationTests
{
    private const string Password = "pässwörd€";

    /// <summary>
    /// Made by the reference implementation, libargon2 (Debian 12's argon2 0~20171227):
    /// <c>printf '%s' 'pässwörd€' | argon2 SALT -id -t T -k M -p P -l LENGTH -e</c>.
    /// </summary>
    private static readonly TestCaseData[] ReferenceVectors =
    [
        new TestCaseData("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$9dl7HWI7pdxRFCQ32hwLmKR9M/GO/EmFGTG2Mwr9YPM",
            nameof(Argon2idImplementation.Libsodium)).SetName("The default parameters"),
        new TestCaseData("$argon2id$v=19$m=4099,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$klS0Jd+OM0/iRhXrieoH1Ghkar2ZOcouUxhOLzMWtnWHYm8JWelL8nIht10odvrZ4RGBj77TkKmoPBCxxSyFnw",
            nameof(Argon2idImplementation.Libsodium)).SetName("Memory not a multiple of 4 KiB, a 64-octet tag"),
        new TestCaseData("$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$JTXcsokdjB/nZbGP5495QA",
            nameof(Argon2idImplementation.Libsodium)).SetName("A 16-octet tag, libsodium's shortest"),
        new TestCaseData("$argon2id$v=19$m=1024,t=2,p=2$c2FsdHNhbHRzYWx0c2FsdA$P+bVstlC+mfNAOBzj7+bHZdM+LFMMdz/4LmyUduNuwQ",
            nameof(Argon2idImplementation.BouncyCastle)).SetName("Two lanes"),
        new TestCaseData("$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHQ$+JmbVWcLmmT7DV13YDIsoQXFqLeOV+mIphTHoYrwWZ0",
            nameof(Argon2idImplementation.BouncyCastle)).SetName("An 8-octet salt"),
        new TestCaseData("$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$/4bJUBwdwHFxPgDyVIWK",
            nameof(Argon2idImplementation.BouncyCastle)).SetName("A 15-octet tag"),
        new TestCaseData("$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$5NnX6qfK7SU",
            nameof(Argon2idImplementation.BouncyCastle)).SetName("An 8-octet tag"),
    ];

    [TestCaseSource(nameof(ReferenceVectors))]
    public void A_reference_vector_verifies_with_the_implementation_its_parameters_choose(string phc, string expected)
    {
        Assert.That(Argon2idHash.TryParse(phc, out var hash), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(hash.Implementation.ToString(), Is.EqualTo(expected));
            Assert.That(hash.Matches(Password), Is.True);
            Assert.That(hash.Matches(Password + "!"), Is.False);
            Assert.That(Compute(Argon2idImplementation.BouncyCastle, Password, hash), Is.EqualTo(hash.Hash),
                "BouncyCastle computes every parameter set");
        });
    }

    [TestCase(19456, 2, 32, TestName = "Both implementations agree at the default parameters")]
    [TestCase(8, 1, 32, TestName = "Both implementations agree at RFC 9106's least memory and passes")]
    [TestCase(65536, 3, 32, TestName = "Both implementations agree at Dovecot's parameters")]
    [TestCase(1027, 4, 16, TestName = "Both implementations agree on a 16-octet tag")]
    [TestCase(2048, 1, 100, TestName = "Both implementations agree on a 100-octet tag")]
    public void Both_implementations_give_the_same_tag(int memoryKiB, int iterations, int length)
    {
        var salt = RandomNumberGenerator.GetBytes(Argon2idHash.SaltLength);
        Assert.That(Argon2idHash.ImplementationFor(memoryKiB, 1, salt.Length, length), Is.EqualTo(Argon2idImplementation.Libsodium));
        foreach (var password in new[] { "", "correct horse battery staple", Password, new string('x', 1000) })
        {
            var sodium = Argon2idHash.Compute(Argon2idImplementation.Libsodium, password, memoryKiB, iterations, 1, salt, length);
            var bouncyCastle = Argon2idHash.Compute(Argon2idImplementation.BouncyCastle, password, memoryKiB, iterations, 1, salt, length);
            Assert.That(sodium, Is.EqualTo(bouncyCastle), $"password of {password.Length} characters");
        }
    }

    [Test]
    public void A_new_hash_with_two_lanes_is_made_and_verified_by_BouncyCastle()
    {
        var hash = Argon2idHash.Create(Password, 1024, 2, 2);
        Assert.Multiple(() =>
        {
            Assert.That(hash.Implementation, Is.EqualTo(Argon2idImplementation.BouncyCastle));
            Assert.That(hash.Matches(Password), Is.True);
            Assert.That(hash.Matches("pässwörd"), Is.False);
        });
    }

    [Test]
    public void A_new_hash_with_the_default_parameters_is_made_by_libsodium()
    {
        var hash = Argon2idHash.Create(Password, 19456, 2, 1);
        Assert.Multiple(() =>
        {
            Assert.That(hash.Implementation, Is.EqualTo(Argon2idImplementation.Libsodium));
            Assert.That(Compute(Argon2idImplementation.BouncyCastle, Password, hash), Is.EqualTo(hash.Hash));
        });
    }

    /// <summary>What NSec accepts is what <see cref="Argon2idHash.ImplementationFor"/> assumes; a new NSec that differs fails here.</summary>
    [Test]
    public void Libsodium_takes_one_lane_a_16_octet_salt_and_computes_no_tag_shorter_than_16_octets()
    {
        var oneLane = new NSec.Cryptography.Argon2Parameters { DegreeOfParallelism = 1, MemorySize = 1024, NumberOfPasses = 1 };
        var argon2id = PasswordBasedKeyDerivationAlgorithm.Argon2id(oneLane);
        var salt = RandomNumberGenerator.GetBytes(Argon2idHash.SaltLength);
        var secret = Encoding.UTF8.GetBytes(Password);
        Assert.Multiple(() =>
        {
            Assert.That((argon2id.MinSaltSize, argon2id.MaxSaltSize), Is.EqualTo((Argon2idHash.LibsodiumSaltLength, Argon2idHash.LibsodiumSaltLength)));
            Assert.That(() => PasswordBasedKeyDerivationAlgorithm.Argon2id(oneLane with { DegreeOfParallelism = 2 }), Throws.ArgumentException);

            // Asked for 15 octets, NSec cuts a 16-octet tag; RFC 9106's 15-octet tag is another.
            Assert.That(argon2id.DeriveBytes(secret, salt, 15),
                Is.EqualTo(argon2id.DeriveBytes(secret, salt, Argon2idHash.LibsodiumMinHashLength)[..15])
                    .And.Not.EqualTo(Argon2idHash.Compute(Argon2idImplementation.BouncyCastle, Password, 1024, 1, 1, salt, 15)));
            Assert.That(Argon2idHash.ImplementationFor(1024, 1, salt.Length, 15), Is.EqualTo(Argon2idImplementation.BouncyCastle));
        });
    }

    private static byte[] Compute(Argon2idImplementation implementation, string password, Argon2idHash hash) =>
        Argon2idHash.Compute(implementation, password, hash.MemoryKiB, hash.Iterations, hash.Parallelism, hash.Salt, hash.Hash.Length);
}
