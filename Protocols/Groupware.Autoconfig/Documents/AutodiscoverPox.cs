using System.Globalization;
using System.Xml;

namespace Groupware.Autoconfig.Documents;

/// <summary>
/// Outlook's "plain old XML" Autodiscover ([MS-OXDSCLI] §2.2.3 and §2.2.4): the request names an
/// <c>EMailAddress</c> and the <c>AcceptableResponseSchema</c>; the answer, in the
/// <c>outlook/responseschema/2006a</c> schema, is one <c>Account</c> of type <c>email</c> with a <c>Protocol</c>
/// per service: IMAP, POP3 and SMTP over implicit TLS (<c>SSL on</c>, <c>Encryption SSL</c>), password inside
/// it (<c>SPA off</c> names the password mechanism, not the transport).
/// </summary>
internal static class AutodiscoverPox
{
    public const string RequestNamespace = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
    public const string OutlookResponseSchema = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
    public const string ResponseNamespace = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";

    /// <summary>Largest request read: the request is a few hundred octets ([MS-OXDSCLI] §4.1).</summary>
    public const int MaxRequestSize = 64 * 1024;

    /// <summary>A request as read: the address, and the response schema the client accepts (null if it named none).</summary>
    public sealed record Request(string? EMailAddress, string? AcceptableResponseSchema);

    /// <summary>Reads a request with DTDs refused (DESIGN.md: System.Xml with DTD processing off); null when it is not one.</summary>
    public static Request? Parse(ReadOnlyMemory<byte> body)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxRequestSize };
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, settings);
            string? address = null, schema = null;
            var sawRoot = false;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                if (!sawRoot)
                {
                    if (reader.LocalName != "Autodiscover")
                    {
                        return null;
                    }

                    sawRoot = true;
                }
                else if (reader.LocalName == "EMailAddress")
                {
                    address = reader.ReadElementContentAsString().Trim();
                }
                else if (reader.LocalName == "AcceptableResponseSchema")
                {
                    schema = reader.ReadElementContentAsString().Trim();
                }
            }

            return sawRoot ? new Request(address, schema) : null;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    public static byte[] Render(EmailAddress address, IReadOnlyList<ServerOffer> offers) => XmlDocumentWriter.Write(writer =>
    {
        writer.WriteStartElement("Autodiscover", ResponseNamespace);
        writer.WriteStartElement("Response", OutlookResponseSchema);
        writer.WriteStartElement("User", OutlookResponseSchema);
        writer.WriteElementString("DisplayName", OutlookResponseSchema, address.Address);
        writer.WriteEndElement();
        writer.WriteStartElement("Account", OutlookResponseSchema);
        writer.WriteElementString("AccountType", OutlookResponseSchema, "email");
        writer.WriteElementString("Action", OutlookResponseSchema, "settings");
        WriteProtocol(writer, "IMAP", offers.First(ClientService.Imap), address);
        WriteProtocol(writer, "POP3", offers.First(ClientService.Pop3), address);
        WriteProtocol(writer, "SMTP", offers.First(ClientService.Submission), address);
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteEndElement();
    });

    /// <summary>[MS-OXDSCLI] §2.2.4.1.1.2.1.2: the error answer, 600 for a request that is not one, 601 for a schema not served.</summary>
    public static byte[] RenderError(int code, string message) => XmlDocumentWriter.Write(writer =>
    {
        writer.WriteStartElement("Autodiscover", ResponseNamespace);
        writer.WriteStartElement("Response", ResponseNamespace);
        writer.WriteStartElement("Error", ResponseNamespace);
        writer.WriteAttributeString("Time", DateTime.UtcNow.ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture));
        writer.WriteAttributeString("Id", "0");
        writer.WriteElementString("ErrorCode", ResponseNamespace, code.ToString(CultureInfo.InvariantCulture));
        writer.WriteElementString("Message", ResponseNamespace, message);
        writer.WriteElementString("DebugData", ResponseNamespace, "");
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteEndElement();
    });

    /// <summary>
    /// One <c>Protocol</c>, its children in the order Exchange's reference of Protocol (POX) lists them (Type, Server,
    /// Port, LoginName, DomainRequired, SPA, SSL, AuthRequired, UsePOPAuth, SMTPLast), with Encryption after SSL.
    /// </summary>
    private static void WriteProtocol(XmlWriter writer, string type, ServerOffer offer, EmailAddress address)
    {
        writer.WriteStartElement("Protocol", OutlookResponseSchema);
        writer.WriteElementString("Type", OutlookResponseSchema, type);
        writer.WriteElementString("Server", OutlookResponseSchema, offer.Host);
        writer.WriteElementString("Port", OutlookResponseSchema, offer.Port.ToString(CultureInfo.InvariantCulture));
        writer.WriteElementString("LoginName", OutlookResponseSchema, address.Address);
        writer.WriteElementString("DomainRequired", OutlookResponseSchema, "off");
        writer.WriteElementString("SPA", OutlookResponseSchema, "off");
        writer.WriteElementString("SSL", OutlookResponseSchema, "on");
        writer.WriteElementString("Encryption", OutlookResponseSchema, offer.Security == ServerSecurity.ImplicitTls ? "SSL" : "TLS");
        writer.WriteElementString("AuthRequired", OutlookResponseSchema, "on");
        if (type == "SMTP")
        {
            writer.WriteElementString("UsePOPAuth", OutlookResponseSchema, "on");
            writer.WriteElementString("SMTPLast", OutlookResponseSchema, "off");
        }

        writer.WriteEndElement();
    }
}
