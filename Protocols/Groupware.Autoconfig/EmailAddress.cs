namespace Groupware.Autoconfig;

/// <summary>An address as a client sends it to be set up: only its shape is checked, never whether it exists.</summary>
internal sealed record EmailAddress(string Address, string LocalPart, string Domain)
{
    /// <summary>RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254.</summary>
    private const int MaxLength = 254;

    public static EmailAddress? TryParse(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '"'))
        {
            return null;
        }

        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1 || text.IndexOf('@', StringComparison.Ordinal) != at)
        {
            return null;
        }

        var domain = text[(at + 1)..].TrimEnd('.').ToLowerInvariant();
        return domain.Length == 0 || domain.StartsWith('.') || domain.Contains("..", StringComparison.Ordinal)
            ? null
            : new EmailAddress(text, text[..at], domain);
    }

    public override string ToString() => Address;
}
