using System.Net;

namespace Groupware.Imap;

/// <summary>
/// Logged-in IMAP sessions on this node by account and client address, for
/// <see cref="ImapOptions.MaxSessionsPerUserAndAddress"/>. A client address is what the connection
/// limiter counts (IPv4 address; IPv6 as given); a unix-socket peer counts as one address.
/// </summary>
internal sealed class SessionCounter
{
    private readonly Dictionary<(long Account, IPAddress? Address), int> _sessions = [];

    /// <summary>Counts one more session unless <paramref name="limit"/> are open already; returns whether it did.</summary>
    public bool TryEnter(long accountId, IPAddress? address, int limit)
    {
        lock (_sessions)
        {
            _sessions.TryGetValue((accountId, address), out var open);
            if (open >= limit)
            {
                return false;
            }

            _sessions[(accountId, address)] = open + 1;
            return true;
        }
    }

    public void Leave(long accountId, IPAddress? address)
    {
        lock (_sessions)
        {
            if (_sessions.TryGetValue((accountId, address), out var open))
            {
                if (open <= 1)
                {
                    _sessions.Remove((accountId, address));
                }
                else
                {
                    _sessions[(accountId, address)] = open - 1;
                }
            }
        }
    }
}
