using Groupware.Connections;

namespace Groupware.Sasl;

/// <summary>What a command answers: the lines to send (none for the handshake's own lines) and whether the connection goes on.</summary>
internal sealed record SaslResponse(IReadOnlyList<string> Lines, SessionStep Step = SessionStep.Continue)
{
    public static SaslResponse Nothing { get; } = new([]);

    /// <summary>The connection is closed without an answer, as Dovecot closes a client that breaks the protocol.</summary>
    public static SaslResponse Disconnect { get; } = new([], SessionStep.Close);

    public static implicit operator SaslResponse(string line) => new([line]);
}
