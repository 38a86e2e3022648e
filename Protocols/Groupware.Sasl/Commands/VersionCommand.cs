namespace Groupware.Sasl.Commands;

/// <summary>
/// <c>VERSION major minor</c>: the client's protocol version, its first line. A major version other than 1 is
/// a client this server cannot talk to, and Dovecot closes the connection on it; a higher minor version is
/// compatible by the protocol's rule.
/// </summary>
internal sealed class VersionCommand : SaslCommand
{
    public const int MajorVersion = 1;

    /// <summary>Dovecot 2.x speaks 1.2: the minor version this server answers with.</summary>
    public const int MinorVersion = 2;

    private VersionCommand()
    {
    }

    public static ParseResult Parse(IReadOnlyList<string> fields) =>
        fields.Count >= 2 && fields[0] == "1" ? new VersionCommand() : SaslResponse.Disconnect;

    public override ValueTask<SaslResponse> ExecuteAsync(SaslSession session, CancellationToken cancellationToken)
    {
        session.State = SaslState.Versioned;
        return ValueTask.FromResult(SaslResponse.Nothing);
    }
}
