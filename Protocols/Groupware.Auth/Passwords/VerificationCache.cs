using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Groupware.Auth.Passwords;

/// <summary>
/// Passwords verified recently, so that a client that logs in again and again (a phone polling
/// every minute, a client opening several IMAP connections) does not pay a full Argon2 run each
/// time, as Dovecot's auth cache spares it. An entry is keyed by HMAC-SHA256, under a random key
/// made when the process starts and never stored, over the stored hash and the password: the
/// password itself is never kept. Because the stored hash is part of the key, a password change
/// on any node (a new hash in the shared database) makes every node's entry for the old password
/// unreachable at once, with no message between nodes. Only successes are remembered; a disabled
/// account never uses the cache, so that its answers take as long as a wrong password's.
/// </summary>
internal sealed class VerificationCache(AuthOptions options, TimeProvider time)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>Whether this password was verified against this stored hash within the cache lifetime.</summary>
    public bool Contains(string storedHash, string password)
    {
        var key = KeyOf(storedHash, password);
        if (!_entries.TryGetValue(key, out var expires))
        {
            return false;
        }

        if (expires > time.GetUtcNow())
        {
            return true;
        }

        _entries.TryRemove(key, out _);
        return false;
    }

    /// <summary>Remembers a successful verification. When full, expired entries go; if none has, the new one is not kept.</summary>
    public void Add(string storedHash, string password)
    {
        if (options.CacheLifetimeSeconds <= 0 || options.CacheMaxEntries <= 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (_entries.Count >= options.CacheMaxEntries)
        {
            foreach (var (key, expires) in _entries)
            {
                if (expires <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= options.CacheMaxEntries)
            {
                return;
            }
        }

        _entries[KeyOf(storedHash, password)] = now.AddSeconds(options.CacheLifetimeSeconds);
    }

    private string KeyOf(string storedHash, string password)
    {
        // The stored hash never contains NUL, so the separator keeps (hash, password) pairs apart.
        var hashLength = Encoding.UTF8.GetByteCount(storedHash);
        var message = new byte[hashLength + 1 + Encoding.UTF8.GetByteCount(password)];
        Encoding.UTF8.GetBytes(storedHash, message);
        Encoding.UTF8.GetBytes(password, message.AsSpan(hashLength + 1));
        var mac = HMACSHA256.HashData(_key, message);
        CryptographicOperations.ZeroMemory(message);
        return Convert.ToBase64String(mac);
    }
}
