using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto.Generators;
using BouncyCastleArgon2Parameters = Org.BouncyCastle.Crypto.Parameters.Argon2Parameters;
using SodiumArgon2Parameters = NSec.Cryptography.Argon2Parameters;

namespace Groupware.Auth.Passwords;

/// <summary>Which code computes an Argon2id tag; <see cref="Argon2idHash.ImplementationFor"/> chooses per hash.</summary>
internal enum Argon2idImplementation
{
    /// <summary>libsodium's <c>crypto_pwhash_argon2id</c>, through NSec: one lane, a 16-octet salt, a tag of 16 octets or more.</summary>
    Libsodium,

    /// <summary>BouncyCastle's managed <c>Argon2BytesGenerator</c>: any parameters RFC 9106 allows.</summary>
    BouncyCastle,
}

/// <summary>
/// Argon2id (RFC 9106) in the PHC string format Dovecot and libargon2 write:
/// <c>$argon2id$v=19$m=MEMORY,t=ITERATIONS,p=LANES$SALT$HASH</c>, salt and hash in base64 without
/// padding. The tag is computed by libsodium (through NSec) whenever it takes the hash's parameters,
/// as it takes the defaults: a verification keeps a core busy from start to end, so the rate of
/// logins that miss the verification cache is bounded by its speed, and libsodium's C is about
/// four times as fast as BouncyCastle's managed code (17-22 against 65-100 ms at the defaults on the
/// 2-core reference machine, the <c>auth-verify</c> benchmark). libsodium computes a single lane
/// with a 16-octet salt and a tag of at least 16 octets; BouncyCastle computes the rest (more lanes,
/// configured or imported, or an imported hash's other salt length or shorter tag) and gives the
/// same tag for the same inputs.
/// </summary>
internal sealed record Argon2idHash(int MemoryKiB, int Iterations, int Parallelism, byte[] Salt, byte[] Hash)
{
    /// <summary>Salt length of new hashes: 16 octets, RFC 9106 §3.1's recommendation and Dovecot's.</summary>
    public const int SaltLength = 16;

    /// <summary>Tag length of new hashes: 32 octets, Dovecot's and libargon2's default.</summary>
    public const int HashLength = 32;

    /// <summary>
    /// The only salt length libsodium takes, <c>crypto_pwhash_argon2id_SALTBYTES</c> (NSec's
    /// <see cref="PasswordBasedKeyDerivationAlgorithm.MinSaltSize"/> and <see cref="PasswordBasedKeyDerivationAlgorithm.MaxSaltSize"/>).
    /// </summary>
    internal const int LibsodiumSaltLength = 16;

    /// <summary>
    /// The shortest tag libsodium computes, <c>crypto_pwhash_argon2id_BYTES_MIN</c>. Asked for fewer
    /// octets, NSec returns the start of a 16-octet tag, which is not the shorter tag: RFC 9106 §3.2
    /// hashes the tag length into H0, so every octet depends on it.
    /// </summary>
    internal const int LibsodiumMinHashLength = 16;

    /// <summary>
    /// The most memory libsodium gives one run in a 32-bit process, in KiB: <c>crypto_pwhash_argon2id_MEMLIMIT_MAX</c>
    /// is 2 GiB there, and 4 TiB in a 64-bit one, beyond <see cref="AuthOptions.MaxArgon2MemoryKiB"/>.
    /// </summary>
    private const int Libsodium32BitMaxMemoryKiB = 2 * 1024 * 1024;

    private const string Prefix = "$argon2id$";

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    public static Argon2idHash Create(string password, int memoryKiB, int iterations, int parallelism)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        var implementation = ImplementationFor(memoryKiB, parallelism, SaltLength, HashLength);
        return new Argon2idHash(memoryKiB, iterations, parallelism, salt,
            Compute(implementation, password, memoryKiB, iterations, parallelism, salt, HashLength));
    }

    /// <summary>The code that computes this hash's tag.</summary>
    public Argon2idImplementation Implementation => ImplementationFor(MemoryKiB, Parallelism, Salt.Length, Hash.Length);

    /// <summary>Whether <paramref name="password"/> gives this hash.</summary>
    public bool Matches(string password) =>
        CryptographicOperations.FixedTimeEquals(Compute(Implementation, password, MemoryKiB, Iterations, Parallelism, Salt, Hash.Length), Hash);

    /// <summary>The PHC string, e.g. <c>$argon2id$v=19$m=19456,t=2,p=1$...$...</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}v=19$m={MemoryKiB},t={Iterations},p={Parallelism}${Base64(Salt)}${Base64(Hash)}");

    /// <summary>Parses a PHC string of version 19 (0x13) within this server's bounds.</summary>
    public static bool TryParse(string text, out Argon2idHash hash)
    {
        hash = null!;
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var fields = text[Prefix.Length..].Split('$');
        if (fields.Length != 4 || fields[0] != "v=19")
        {
            return false;
        }

        int memory = 0, iterations = 0, parallelism = 0;
        foreach (var parameter in fields[1].Split(','))
        {
            var pair = parameter.Split('=', 2);
            if (pair.Length != 2 || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            switch (pair[0])
            {
                case "m": memory = value; break;
                case "t": iterations = value; break;
                case "p": parallelism = value; break;
                default: return false;
            }
        }

        // RFC 9106 §3.1: at least 8 KiB per lane, at least one pass.
        if (parallelism is < 1 or > AuthOptions.MaxArgon2Parallelism || iterations is < 1 or > AuthOptions.MaxArgon2Iterations
            || memory < 8 * parallelism || memory > AuthOptions.MaxArgon2MemoryKiB)
        {
            return false;
        }

        if (!TryDecode(fields[2], out var salt) || salt.Length < 8 || !TryDecode(fields[3], out var tag) || tag.Length < 4)
        {
            return false;
        }

        hash = new Argon2idHash(memory, iterations, parallelism, salt, tag);
        return true;
    }

    /// <summary>
    /// libsodium when it takes the parameters, BouncyCastle otherwise. Of memory and passes only a
    /// 32-bit process's memory bound can refuse: libsodium's least (8 KiB, one pass) is RFC 9106's,
    /// which <see cref="TryParse"/> and the configuration enforce, its most is beyond
    /// <see cref="AuthOptions"/>' bounds, and NSec passes the memory in KiB, as the PHC string gives
    /// it, so any whole number of KiB is taken exactly.
    /// </summary>
    internal static Argon2idImplementation ImplementationFor(int memoryKiB, int parallelism, int saltLength, int hashLength) =>
        parallelism == 1 && saltLength == LibsodiumSaltLength && hashLength >= LibsodiumMinHashLength
        && (Environment.Is64BitProcess || memoryKiB <= Libsodium32BitMaxMemoryKiB)
            ? Argon2idImplementation.Libsodium
            : Argon2idImplementation.BouncyCastle;

    /// <summary>The <paramref name="length"/>-octet tag of the UTF-8 octets of <paramref name="password"/>, computed by <paramref name="implementation"/>.</summary>
    internal static byte[] Compute(Argon2idImplementation implementation, string password, int memoryKiB, int iterations, int parallelism,
        byte[] salt, int length)
    {
        var secret = Encoding.UTF8.GetBytes(password);
        var tag = new byte[length];
        try
        {
            if (implementation == Argon2idImplementation.Libsodium)
            {
                ComputeWithLibsodium(secret, memoryKiB, iterations, parallelism, salt, tag);
            }
            else
            {
                ComputeWithBouncyCastle(secret, memoryKiB, iterations, parallelism, salt, tag);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        return tag;
    }

    private static void ComputeWithLibsodium(byte[] secret, int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] tag)
    {
        var argon2id = PasswordBasedKeyDerivationAlgorithm.Argon2id(new SodiumArgon2Parameters
        {
            DegreeOfParallelism = parallelism,
            MemorySize = memoryKiB,
            NumberOfPasses = iterations,
        });
        argon2id.DeriveBytes(secret, salt, tag);
    }

    private static void ComputeWithBouncyCastle(byte[] secret, int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] tag)
    {
        var generator = new Argon2BytesGenerator();
        generator.Init(new BouncyCastleArgon2Parameters.Builder(BouncyCastleArgon2Parameters.Argon2id)
            .WithVersion(BouncyCastleArgon2Parameters.Version13)
            .WithMemoryAsKB(memoryKiB)
            .WithIterations(iterations)
            .WithParallelism(parallelism)
            .WithSalt(salt)
            .Build());
        generator.GenerateBytes(secret, tag);
    }

    private static string Base64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryDecode(string text, out byte[] bytes)
    {
        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        bytes = new byte[padded.Length];
        if (!Convert.TryFromBase64String(padded, bytes, out var written))
        {
            return false;
        }

        bytes = bytes[..written];
        return true;
    }
}
