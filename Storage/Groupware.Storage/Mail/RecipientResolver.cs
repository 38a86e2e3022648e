using Groupware.Storage.Accounts;

namespace Groupware.Storage.Mail;

/// <summary>What an address means to local delivery.</summary>
public enum RecipientStatus
{
    /// <summary>An enabled account takes mail at this address.</summary>
    Found,

    /// <summary>No account has this address, alias or subaddress base (RFC 3463 X.1.1).</summary>
    Unknown,

    /// <summary>The account exists but is disabled (RFC 3463 X.2.1).</summary>
    Disabled,
}

/// <summary>The answer for one address: the account it delivers to when found or disabled.</summary>
public sealed record RecipientLookup(RecipientStatus Status, Account? Account);

/// <summary>
/// Resolves a recipient address to an account: the primary address or an alias exactly (compared
/// case-insensitively, as the account store keeps them), else a subaddress <c>user+tag@domain</c>
/// by its base <c>user@domain</c> (RFC 5233's separator, Postfix's recipient_delimiter default).
/// A quoted local part is looked up unquoted: <c>"user"@domain</c> is <c>user@domain</c>
/// (RFC 5321 §4.1.2), and no account address needs quotes.
/// </summary>
public sealed class RecipientResolver(AccountStore accounts)
{
    /// <summary>The separator between a local part and its detail.</summary>
    public const char SubaddressSeparator = '+';

    public async Task<RecipientLookup> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        address = Unquoted(address);
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            return new RecipientLookup(RecipientStatus.Unknown, null);
        }

        var account = await accounts.FindByAddressAsync(address, cancellationToken);
        if (account is null)
        {
            var plus = address.IndexOf(SubaddressSeparator, StringComparison.Ordinal);
            if (plus > 0 && plus < at)
            {
                account = await accounts.FindByAddressAsync(string.Concat(address.AsSpan(0, plus), address.AsSpan(at)), cancellationToken);
            }
        }

        return account switch
        {
            null => new RecipientLookup(RecipientStatus.Unknown, null),
            { Disabled: true } => new RecipientLookup(RecipientStatus.Disabled, account),
            _ => new RecipientLookup(RecipientStatus.Found, account),
        };
    }

    /// <summary>The address with a quoted-string local part (RFC 5321 §4.1.2) replaced by its content, quoted-pairs undone.</summary>
    private static string Unquoted(string address)
    {
        var at = address.LastIndexOf('@');
        if (at < 2 || address[0] != '"' || address[at - 1] != '"')
        {
            return address;
        }

        var local = new System.Text.StringBuilder(at);
        for (var i = 1; i < at - 1; i++)
        {
            if (address[i] == '\\' && i + 1 < at - 1)
            {
                i++;
            }

            local.Append(address[i]);
        }

        return string.Concat(local.ToString(), address.AsSpan(at));
    }
}
