using Groupware.Sasl.Syntax;

namespace Groupware.Sasl.Commands;

/// <summary>
/// <c>CONT id data</c> outside a conversation: a continuation of a request that has ended (answered, or
/// given up when the client started another). The client hears that it failed; nothing is checked.
/// Continuations of the request in progress are read by <see cref="AuthCommand"/> itself.
/// </summary>
internal sealed class ContCommand(uint id) : SaslCommand
{
    public static ParseResult Parse(IReadOnlyList<string> fields) =>
        fields.Count >= 1 && ClientLine.TryReadId(fields[0], out var id) ? new ContCommand(id) : SaslResponse.Disconnect;

    public override ValueTask<SaslResponse> ExecuteAsync(SaslSession session, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SaslResponse>(SaslReply.Fail(id, "Authentication request timed out"));
}
