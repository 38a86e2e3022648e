using System.Globalization;
using System.Text;

namespace Groupware.Lmtp;

/// <summary>
/// One LMTP reply (RFC 5321 §4.2): a three-digit code, the enhanced status code of RFC 2034/3463
/// (absent only on the greeting and the LHLO reply, RFC 2034 §3) and one or more lines of text.
/// Refusals are replies returned by commands, never exceptions.
/// </summary>
internal sealed record LmtpReply(int Code, string? EnhancedCode, IReadOnlyList<string> Lines)
{
    public LmtpReply(int code, string? enhancedCode, string text)
        : this(code, enhancedCode, [text])
    {
    }

    public bool IsPositive => Code is >= 200 and < 400;

    /// <summary>
    /// The reply as sent: <c>250-first</c> ... <c>250 last</c>, each line CRLF-terminated. Reply text is
    /// printable ASCII (RFC 5321 §4.2: <c>textstring</c>); anything else a reply would echo from the
    /// client (an 8-bit octet, a control character) is sent as <c>?</c>.
    /// </summary>
    public string Render()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Lines.Count; i++)
        {
            text.Append(Code.ToString(CultureInfo.InvariantCulture)).Append(i == Lines.Count - 1 ? ' ' : '-');
            if (EnhancedCode is not null)
            {
                text.Append(EnhancedCode).Append(' ');
            }

            foreach (var c in Lines[i])
            {
                text.Append(c is >= ' ' and <= '~' ? c : '?');
            }

            text.Append("\r\n");
        }

        return text.ToString();
    }

    public override string ToString() => Render().TrimEnd();

    // The replies every command shares.
    public static LmtpReply Ok { get; } = new(250, "2.0.0", "OK");

    public static LmtpReply BadSequence(string text) => new(503, "5.5.1", text);

    public static LmtpReply SyntaxError(string text) => new(501, "5.5.4", text);

    public static LmtpReply TemporaryFailure(string text) => new(451, "4.3.0", text);
}

/// <summary>What a command answers: its replies (DATA has one per recipient, RFC 2033 §4.2) and whether the session goes on.</summary>
internal readonly record struct LmtpResponse(IReadOnlyList<LmtpReply> Replies, Groupware.Connections.SessionStep Step = Groupware.Connections.SessionStep.Continue)
{
    public static implicit operator LmtpResponse(LmtpReply reply) => new([reply]);

    /// <summary>No reply at all: BDAT LAST without recipients (RFC 2033 §4.3).</summary>
    public static LmtpResponse None { get; } = new([]);
}
