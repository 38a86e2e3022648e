using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;

namespace Groupware.Auth.Passwords;

/// <summary>What <see cref="PasswordHasher.Verify"/> found.</summary>
public enum PasswordCheck
{
    /// <summary>The password gives the stored hash.</summary>
    Match,

    /// <summary>It does not.</summary>
    Mismatch,

    /// <summary>The stored hash is in no scheme this server reads, or asks for more work than it allows; nothing matches it.</summary>
    Unverifiable,
}

/// <summary>
/// Password hashes stored as Dovecot stores them, <c>{SCHEME}data</c>. New hashes are
/// <c>{ARGON2ID}$argon2id$v=19$m=...,t=...,p=...$salt$hash</c> with the configured parameters.
/// Hashes imported from other servers verify in the schemes operators migrate from and are
/// replaced by Argon2id after the next successful login (<see cref="NeedsUpgrade"/>):
/// <list type="bullet">
/// <item><c>{SHA512-CRYPT}$6$...</c> or bare <c>$6$...</c>: glibc's SHA-512 crypt (<c>mkpasswd -m sha-512</c>);</item>
/// <item><c>{BLF-CRYPT}$2y$...</c> or bare <c>$2y$</c>, <c>$2b$</c>, <c>$2a$</c>: bcrypt (BouncyCastle's OpenBsdBCrypt);</item>
/// <item><c>{ARGON2ID}$argon2id$...</c> or bare <c>$argon2id$...</c>, with any parameters within <see cref="MaxStoredArgon2Work"/>;</item>
/// <item><c>{SSHA512}</c>: base64 of SHA-512(password + salt) followed by the salt;</item>
/// <item><c>{PLAIN}</c> (also <c>{CLEAR}</c>, <c>{CLEARTEXT}</c>): the password itself (the auth module logs a warning);</item>
/// <item><c>{CRYPT}</c> holding a <c>$6$</c> or <c>$2?$</c> string, as Dovecot's CRYPT scheme may.</item>
/// </list>
/// </summary>
public sealed class PasswordHasher
{
    /// <summary>Most bcrypt cost this server computes (2^15 rounds, seconds per login); a higher stored cost is unverifiable.</summary>
    public const int MaxBcryptCost = 15;

    /// <summary>
    /// Most memory, in KiB, a stored Argon2id hash may ask of one verification unless the configured
    /// parameters ask more: 1 GiB, libsodium's MEMLIMIT_SENSITIVE, the largest preset in common use.
    /// Every login with a wrong password pays it, at up to <see cref="AuthOptions.MaxConcurrentVerifications"/>
    /// at a time, so a hash beyond it is unverifiable rather than a way to exhaust the node's memory.
    /// </summary>
    public const int MaxStoredArgon2MemoryKiB = 1024 * 1024;

    /// <summary>
    /// Most work (memory in KiB times passes) a stored Argon2id hash may ask unless the configured
    /// parameters ask more: 1 GiB-pass, about 0.7 s (256 MiB, 4 passes) to 1.5 s (1 GiB, one pass) with
    /// libsodium on the 2-core reference machine, 2 s or more with BouncyCastle for a hash libsodium
    /// does not take, the order of <see cref="MaxBcryptCost"/> and of <see cref="Sha512Crypt.MaxRounds"/>. It admits
    /// what Dovecot (64 MiB, 3 passes), PHP (64 MiB, 4) and libsodium's MODERATE preset (256 MiB, 3) write.
    /// </summary>
    public const long MaxStoredArgon2Work = 1024L * 1024;

    private readonly AuthOptions _options;
    private readonly Lazy<string> _dummyHash;

    public PasswordHasher(AuthOptions options)
    {
        _options = options;
        _dummyHash = new Lazy<string>(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));
    }

    /// <summary>
    /// A hash of a random password with the current parameters: an unknown login is verified against
    /// it, so that it takes as long as a wrong password.
    /// </summary>
    internal string DummyHash => _dummyHash.Value;

    /// <summary>A new <c>{ARGON2ID}</c> hash of <paramref name="password"/> with a fresh salt.</summary>
    public string Hash(string password) =>
        "{ARGON2ID}" + Argon2idHash.Create(password, _options.Argon2MemoryKiB, _options.Argon2Iterations, _options.Argon2Parallelism);

    /// <summary>
    /// The schemes this server verifies, as Dovecot names them, each with its check of a password
    /// against the data after <c>{SCHEME}</c>: true, false, or null when the data cannot be checked.
    /// </summary>
    private static readonly FrozenDictionary<string, Func<PasswordHasher, string, string, bool?>> Verifiers =
        new Dictionary<string, Func<PasswordHasher, string, string, bool?>>
        {
            ["ARGON2ID"] = (hasher, password, data) =>
                Argon2idHash.TryParse(data, out var argon2) && hasher.IsAffordable(argon2) ? argon2.Matches(password) : null,
            ["SHA512-CRYPT"] = (_, password, data) => Sha512Crypt.Verify(password, data),
            ["BLF-CRYPT"] = (_, password, data) => VerifyBcrypt(password, data),
            ["SSHA512"] = (_, password, data) => VerifySsha512(password, data),
            ["PLAIN"] = (_, password, data) => VerifyPlain(password, data),
            ["CLEAR"] = (_, password, data) => VerifyPlain(password, data),
            ["CLEARTEXT"] = (_, password, data) => VerifyPlain(password, data),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Checks <paramref name="password"/> against a stored hash in any scheme this server reads, in constant time where the scheme allows.</summary>
    public PasswordCheck Verify(string password, string storedHash)
    {
        var (scheme, data) = Split(storedHash);
        bool? match = Verifiers.TryGetValue(scheme, out var verify) ? verify(this, password, data) : null;
        return match switch
        {
            true => PasswordCheck.Match,
            false => PasswordCheck.Mismatch,
            null => PasswordCheck.Unverifiable,
        };
    }

    /// <summary>
    /// Whether a stored hash should be replaced after a successful login: anything but an
    /// <c>{ARGON2ID}</c> hash with exactly the configured parameters. The configuration is the policy
    /// in both directions: a weaker hash is strengthened, and a stronger imported one (Dovecot writes
    /// 64 MiB and 3 passes) would cost more than a login's budget at every cache miss. Nodes sharing a
    /// database should therefore share the <c>Auth:Argon2*</c> values.
    /// </summary>
    public bool NeedsUpgrade(string storedHash)
    {
        if (!storedHash.StartsWith("{ARGON2ID}", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return !Argon2idHash.TryParse(storedHash["{ARGON2ID}".Length..], out var argon2)
            || argon2.MemoryKiB != _options.Argon2MemoryKiB
            || argon2.Iterations != _options.Argon2Iterations
            || argon2.Parallelism != _options.Argon2Parallelism;
    }

    /// <summary>Whether <see cref="Verify"/> can check a password against this stored hash (its scheme is one it verifies).</summary>
    public static bool IsVerifiable(string storedHash) => Verifiers.ContainsKey(SchemeOf(storedHash));

    /// <summary>The scheme of a stored hash as Dovecot names it (<c>SHA512-CRYPT</c>, <c>PLAIN</c> ...), or "" when none is recognised.</summary>
    public static string SchemeOf(string storedHash) => Split(storedHash).Scheme;

    /// <summary>Splits <c>{SCHEME}data</c>; recognises the bare crypt forms by their prefix.</summary>
    private static (string Scheme, string Data) Split(string stored)
    {
        if (stored.StartsWith('{'))
        {
            var close = stored.IndexOf('}', StringComparison.Ordinal);
            if (close < 0)
            {
                return ("", stored);
            }

            var scheme = stored[1..close].ToUpperInvariant();
            var data = stored[(close + 1)..];

            // {CRYPT} holds a bare crypt(3) string, never another {SCHEME}: one level is unwrapped, no more.
            return scheme == "CRYPT"
                ? (!data.StartsWith('{') && Split(data) is { Scheme: "SHA512-CRYPT" or "BLF-CRYPT" } inner ? inner : ("", data))
                : (scheme, data);
        }

        if (stored.StartsWith("$argon2id$", StringComparison.Ordinal))
        {
            return ("ARGON2ID", stored);
        }

        if (stored.StartsWith("$6$", StringComparison.Ordinal))
        {
            return ("SHA512-CRYPT", stored);
        }

        return stored.StartsWith("$2y$", StringComparison.Ordinal) || stored.StartsWith("$2b$", StringComparison.Ordinal)
            || stored.StartsWith("$2a$", StringComparison.Ordinal)
            ? ("BLF-CRYPT", stored)
            : ("", stored);
    }

    /// <summary>Whether a stored Argon2id hash is within <see cref="MaxStoredArgon2MemoryKiB"/> and <see cref="MaxStoredArgon2Work"/>, or no costlier than the configured parameters.</summary>
    private bool IsAffordable(Argon2idHash hash) =>
        hash.MemoryKiB <= Math.Max(MaxStoredArgon2MemoryKiB, _options.Argon2MemoryKiB)
        && (long)hash.MemoryKiB * hash.Iterations <= Math.Max(MaxStoredArgon2Work, (long)_options.Argon2MemoryKiB * _options.Argon2Iterations);

    private static bool VerifyPlain(string password, string stored) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(stored));

    private static bool? VerifyBcrypt(string password, string stored)
    {
        // $2y$NN$ + 22 characters of salt + 31 of hash.
        if (stored.Length != 60 || stored[3] != '$' || stored[6] != '$'
            || !int.TryParse(stored.AsSpan(4, 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var cost)
            || cost is < 4 or > MaxBcryptCost)
        {
            return null;
        }

        try
        {
            // Like crypt(3), only the first 72 octets of the password count.
            return OpenBsdBCrypt.CheckPassword(stored, password.ToCharArray());
        }
        catch (Exception e) when (e is ArgumentException or Org.BouncyCastle.Crypto.DataLengthException)
        {
            return null;
        }
    }

    private static bool? VerifySsha512(string password, string stored)
    {
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(stored);
        }
        catch (FormatException)
        {
            return null;
        }

        if (decoded.Length <= SHA512.HashSizeInBytes)
        {
            return null;
        }

        var secret = Encoding.UTF8.GetBytes(password);
        var salted = new byte[secret.Length + decoded.Length - SHA512.HashSizeInBytes];
        secret.CopyTo(salted, 0);
        decoded.AsSpan(SHA512.HashSizeInBytes).CopyTo(salted.AsSpan(secret.Length));
        var digest = SHA512.HashData(salted);
        CryptographicOperations.ZeroMemory(secret);
        CryptographicOperations.ZeroMemory(salted);
        return CryptographicOperations.FixedTimeEquals(digest, decoded.AsSpan(0, SHA512.HashSizeInBytes));
    }
}
