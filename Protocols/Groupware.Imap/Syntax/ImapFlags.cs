namespace Groupware.Imap.Syntax;

/// <summary>
/// The system flags of RFC 9051 §2.3.2, spelled as the RFC spells them. Flags compare ignoring
/// ASCII case (RFC 9051 §9 note 1); the reader hands them on in this spelling.
/// </summary>
internal static class ImapFlags
{
    public const string Answered = "\\Answered";
    public const string Flagged = "\\Flagged";
    public const string Deleted = "\\Deleted";
    public const string Seen = "\\Seen";
    public const string Draft = "\\Draft";

    /// <summary>RFC 3501's session flag; RFC 9051 deprecates it and no client may set it.</summary>
    public const string Recent = "\\Recent";

    /// <summary>The flags a client may set, in RFC 9051 §9 <c>flag</c> order.</summary>
    public static IReadOnlyList<string> Settable { get; } = [Answered, Flagged, Deleted, Seen, Draft];

    /// <summary>The RFC spelling of a system flag a client may set, or null for any other name.</summary>
    public static string? Canonical(string name) =>
        Settable.FirstOrDefault(f => f.Equals(name, StringComparison.OrdinalIgnoreCase));
}
