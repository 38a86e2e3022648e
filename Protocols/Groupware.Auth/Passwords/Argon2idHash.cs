using System.Globalization;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;

namespace Groupware.Auth.Passwords;

/// <summary>
/// Argon2id (RFC 9106) in the PHC string format Dovecot and libargon2 write:
/// <c>$argon2id$v=19$m=MEMORY,t=ITERATIONS,p=LANES$SALT$HASH</c>, salt and hash in base64 without
/// padding. Computed with BouncyCastle.
/// </summary>
internal sealed record Argon2idHash(int MemoryKiB, int Iterations, int Parallelism, byte[] Salt, byte[] Hash)
{
    /// <summary>Salt length of new hashes: 16 octets, RFC 9106 §3.1's recommendation and Dovecot's.</summary>
    public const int SaltLength = 16;

    /// <summary>Tag length of new hashes: 32 octets, Dovecot's and libargon2's default.</summary>
    public const int HashLength = 32;

    private const string Prefix = "$argon2id$";

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    public static Argon2idHash Create(string password, int memoryKiB, int iterations, int parallelism)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        return new Argon2idHash(memoryKiB, iterations, parallelism, salt, Compute(password, memoryKiB, iterations, parallelism, salt, HashLength));
    }

    /// <summary>Whether <paramref name="password"/> gives this hash.</summary>
    public bool Matches(string password) =>
        CryptographicOperations.FixedTimeEquals(Compute(password, MemoryKiB, Iterations, Parallelism, Salt, Hash.Length), Hash);

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

    private static byte[] Compute(string password, int memoryKiB, int iterations, int parallelism, byte[] salt, int length)
    {
        var generator = new Argon2BytesGenerator();
        generator.Init(new Argon2Parameters.Builder(Argon2Parameters.Argon2id)
            .WithVersion(Argon2Parameters.Version13)
            .WithMemoryAsKB(memoryKiB)
            .WithIterations(iterations)
            .WithParallelism(parallelism)
            .WithSalt(salt)
            .Build());
        var secret = System.Text.Encoding.UTF8.GetBytes(password);
        var output = new byte[length];
        try
        {
            generator.GenerateBytes(secret, output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        return output;
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
