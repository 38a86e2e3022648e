using System.Globalization;

namespace Groupware.Sasl.Commands;

/// <summary><c>CPID pid</c>: the client's process id, which ends its half of the handshake; requests may follow.</summary>
internal sealed class CpidCommand(long processId) : SaslCommand
{
    public static ParseResult Parse(IReadOnlyList<string> fields) =>
        fields.Count >= 1 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? new CpidCommand(pid)
            : SaslResponse.Disconnect;

    public override ValueTask<SaslResponse> ExecuteAsync(SaslSession session, CancellationToken cancellationToken)
    {
        session.ClientProcessId = processId;
        session.State = SaslState.Ready;
        return ValueTask.FromResult(SaslResponse.Nothing);
    }
}
