using System.Security.Cryptography;
using System.Text;

namespace Groupware.Auth.Passwords;

/// <summary>
/// SHA-512-based crypt, <c>$6$[rounds=N$]salt$hash</c>, as Ulrich Drepper's "Unix crypt using
/// SHA-256 and SHA-512" specifies it (the algorithm of glibc's crypt(3), Dovecot's SHA512-CRYPT and
/// <c>mkpasswd -m sha-512</c>). Only verification is needed: imported hashes are replaced by
/// Argon2id after the next successful login.
/// </summary>
internal static class Sha512Crypt
{
    /// <summary>Rounds when the hash does not say (the specification's default).</summary>
    public const int DefaultRounds = 5000;

    /// <summary>The specification's least number of rounds; smaller values are raised to it.</summary>
    public const int MinRounds = 1000;

    /// <summary>
    /// Most rounds this server computes for one login. The specification allows 999999999; a stored
    /// hash asking for more than a million (passlib's default is 656000) is refused as unverifiable
    /// rather than let one login take minutes.
    /// </summary>
    public const int MaxRounds = 1_000_000;

    /// <summary>
    /// Longest password checked, in UTF-8 octets: libxcrypt's CRYPT_MAX_PASSPHRASE_SIZE (512, with the
    /// NUL), the crypt(3) of current Linux distributions, so no hash it made is of a longer one. The work
    /// grows with the square of the password's length and with rounds times it: unbounded, a 4096-character
    /// password against a hash of <see cref="MaxRounds"/> rounds would take half a minute.
    /// </summary>
    public const int MaxPasswordOctets = 511;

    /// <summary>The specification's longest salt, in characters; a longer one is cut.</summary>
    private const int MaxSaltLength = 16;

    private const string Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // The order in which the first 63 digest bytes are encoded, three at a time; byte 63 comes last, alone
    // (the specification's step 22).
    private static readonly int[] Permutation =
    [
        0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51,
        31, 52, 10, 53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60,
        40, 61, 19, 62, 20, 41,
    ];

    /// <summary>Whether <paramref name="password"/> gives <paramref name="stored"/>; null when <paramref name="stored"/> is not a usable $6$ hash.</summary>
    public static bool? Verify(string password, string stored)
    {
        if (!TryParse(stored, out var rounds, out var roundsGiven, out var salt))
        {
            return null;
        }

        var key = Encoding.UTF8.GetBytes(password);
        if (key.Length > MaxPasswordOctets)
        {
            return false;
        }

        var computed = Encoding.ASCII.GetBytes(Compute(key, salt, rounds, roundsGiven));
        return CryptographicOperations.FixedTimeEquals(computed, Encoding.ASCII.GetBytes(stored));
    }

    /// <summary>Splits <c>$6$[rounds=N$]salt$hash</c>.</summary>
    internal static bool TryParse(string stored, out int rounds, out bool roundsGiven, out string salt)
    {
        rounds = DefaultRounds;
        roundsGiven = false;
        salt = "";
        if (!stored.StartsWith("$6$", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = stored.AsSpan(3);
        if (rest.StartsWith("rounds="))
        {
            var end = rest.IndexOf('$');
            if (end < 0 || !int.TryParse(rest[7..end], System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out rounds))
            {
                return false;
            }

            rounds = Math.Max(rounds, MinRounds);
            if (rounds > MaxRounds)
            {
                return false;
            }

            roundsGiven = true;
            rest = rest[(end + 1)..];
        }

        var dollar = rest.IndexOf('$');
        if (dollar < 0 || rest.Length - dollar - 1 != 86)
        {
            return false;
        }

        salt = rest[..Math.Min(dollar, MaxSaltLength)].ToString();
        return true;
    }

    /// <summary>The whole crypt string for a password, salt and rounds (steps 1 to 22 of the specification).</summary>
    internal static string Compute(byte[] key, string saltText, int rounds, bool roundsGiven)
    {
        var salt = Encoding.UTF8.GetBytes(saltText);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);

        // Digest B: key, salt, key.
        hash.AppendData(key);
        hash.AppendData(salt);
        hash.AppendData(key);
        var b = hash.GetHashAndReset();

        // Digest A: key, salt, B for every 64 bytes of key and the rest, then B or key for each bit of the key's length.
        hash.AppendData(key);
        hash.AppendData(salt);
        int count;
        for (count = key.Length; count > 64; count -= 64)
        {
            hash.AppendData(b);
        }

        hash.AppendData(b, 0, count);
        for (count = key.Length; count > 0; count >>= 1)
        {
            hash.AppendData((count & 1) != 0 ? b : key);
        }

        var a = hash.GetHashAndReset();

        // P: the digest of the key repeated key-length times, stretched to the key's length.
        for (var i = 0; i < key.Length; i++)
        {
            hash.AppendData(key);
        }

        var p = Stretch(hash.GetHashAndReset(), key.Length);

        // S: the digest of the salt repeated 16 + A[0] times, stretched to the salt's length.
        for (var i = 0; i < 16 + a[0]; i++)
        {
            hash.AppendData(salt);
        }

        var s = Stretch(hash.GetHashAndReset(), salt.Length);

        var c = a;
        for (var round = 0; round < rounds; round++)
        {
            hash.AppendData((round & 1) != 0 ? p : c);
            if (round % 3 != 0)
            {
                hash.AppendData(s);
            }

            if (round % 7 != 0)
            {
                hash.AppendData(p);
            }

            hash.AppendData((round & 1) != 0 ? c : p);
            c = hash.GetHashAndReset();
        }

        var text = new StringBuilder("$6$", 123);
        if (roundsGiven)
        {
            text.Append("rounds=").Append(rounds.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('$');
        }

        text.Append(saltText).Append('$');
        for (var i = 0; i < 63; i += 3)
        {
            Encode(text, (c[Permutation[i]] << 16) | (c[Permutation[i + 1]] << 8) | c[Permutation[i + 2]], 4);
        }

        Encode(text, c[63], 2);
        return text.ToString();
    }

    private static byte[] Stretch(byte[] digest, int length)
    {
        var result = new byte[length];
        for (var offset = 0; offset < length; offset += digest.Length)
        {
            Array.Copy(digest, 0, result, offset, Math.Min(digest.Length, length - offset));
        }

        return result;
    }

    private static void Encode(StringBuilder text, int value, int characters)
    {
        for (var i = 0; i < characters; i++)
        {
            text.Append(Alphabet[value & 0x3f]);
            value >>= 6;
        }
    }
}
