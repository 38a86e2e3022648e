using System.Globalization;
using System.Net;

namespace Groupware.Sasl.Syntax;

/// <summary>
/// The parameters of one <c>AUTH</c> request, as Postfix's <c>smtpd_sasl_type = dovecot</c> client sends
/// them (Dovecot's auth-client protocol: <c>service=</c>, the flag <c>secured</c>, <c>lip=</c>/<c>rip=</c>
/// and their ports, <c>resp=</c>). Flags this server has no use for (<c>nologin</c>, <c>no-penalty</c>,
/// <c>valid-client-cert</c>, <c>session=</c>...) are read and ignored, as Dovecot ignores unknown ones.
/// </summary>
/// <param name="Service">The service the client speaks for, e.g. <c>smtp</c>.</param>
/// <param name="Secured">Whether the client's own connection is protected (TLS): the MTA's word for it.</param>
/// <param name="RemoteIp">The address of the end user's client (<c>rip</c>), by which throttling counts.</param>
/// <param name="LocalIp">The address the end user connected to (<c>lip</c>).</param>
/// <param name="RemotePort"><c>rport</c>, 0 when not sent.</param>
/// <param name="LocalPort"><c>lport</c>, 0 when not sent.</param>
/// <param name="InitialResponse">The base64 initial response (<c>resp=</c>), <c>=</c> for an empty one, null for none.</param>
internal sealed record AuthParameters(
    string Service,
    bool Secured,
    IPAddress? RemoteIp,
    IPAddress? LocalIp,
    int RemotePort,
    int LocalPort,
    string? InitialResponse)
{
    /// <summary>Reads the fields after the mechanism; null with <paramref name="error"/> for an unreadable address or port.</summary>
    public static AuthParameters? Parse(IEnumerable<string> fields, out string? error)
    {
        error = null;
        string service = "";
        var secured = false;
        IPAddress? rip = null, lip = null;
        int rport = 0, lport = 0;
        string? response = null;
        foreach (var field in fields)
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? field : field[..equals];
            var value = equals < 0 ? "" : TabEscape.Decode(field[(equals + 1)..]);
            switch (name)
            {
                case "service":
                    service = value;
                    break;
                case "secured":
                    // Dovecot 2.3 also accepts "secured=tls"; any form says the client's connection is protected.
                    secured = true;
                    break;
                case "rip" when !TryAddress(value, out rip):
                case "lip" when !TryAddress(value, out lip):
                    error = $"{name} is not an IP address";
                    return null;
                case "rport" when !TryPort(value, out rport):
                case "lport" when !TryPort(value, out lport):
                    error = $"{name} is not a port";
                    return null;
                case "resp":
                    // An empty value is an empty initial response (RFC 4422 §5), which the conversation writes "=".
                    response = value.Length == 0 ? "=" : value;
                    break;
            }
        }

        return new AuthParameters(service, secured, rip, lip, rport, lport, response);
    }

    private static bool TryAddress(string value, out IPAddress? address)
    {
        address = null;
        if (!IPAddress.TryParse(value, out var parsed))
        {
            return false;
        }

        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        return true;
    }

    private static bool TryPort(string value, out int port) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 0 and <= 65535;
}
