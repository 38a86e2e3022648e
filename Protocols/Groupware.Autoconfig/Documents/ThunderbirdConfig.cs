using System.Xml;

namespace Groupware.Autoconfig.Documents;

/// <summary>
/// Thunderbird's autoconfiguration document, <c>clientConfig version="1.1"</c> (Mozilla's "Autoconfiguration
/// in Thunderbird" and its config-v1.1.xml format), as served from <c>autoconfig.DOMAIN/mail/config-v1.1.xml</c>
/// and <c>DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml</c>. Every server has <c>socketType</c> SSL or
/// STARTTLS; <c>password-cleartext</c> is the format's name for a password sent inside that TLS. The user name
/// is the placeholder <c>%EMAILADDRESS%</c>, so the document says nothing about the account beyond its node.
/// </summary>
internal static class ThunderbirdConfig
{
    public static byte[] Render(string domain, IReadOnlyList<ServerOffer> offers) => XmlDocumentWriter.Write(writer =>
    {
        writer.WriteStartElement("clientConfig");
        writer.WriteAttributeString("version", "1.1");
        writer.WriteStartElement("emailProvider");
        writer.WriteAttributeString("id", domain);
        writer.WriteElementString("domain", domain);
        writer.WriteElementString("displayName", domain);
        writer.WriteElementString("displayShortName", domain);
        foreach (var offer in offers.Where(o => o.Service is ClientService.Imap or ClientService.Pop3))
        {
            WriteServer(writer, "incomingServer", offer.Service == ClientService.Imap ? "imap" : "pop3", offer);
        }

        foreach (var offer in offers.Where(o => o.Service == ClientService.Submission))
        {
            WriteServer(writer, "outgoingServer", "smtp", offer);
        }

        writer.WriteEndElement();
        writer.WriteEndElement();
    });

    private static void WriteServer(XmlWriter writer, string element, string type, ServerOffer offer)
    {
        writer.WriteStartElement(element);
        writer.WriteAttributeString("type", type);
        writer.WriteElementString("hostname", offer.Host);
        writer.WriteElementString("port", offer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteElementString("socketType", offer.Security == ServerSecurity.ImplicitTls ? "SSL" : "STARTTLS");
        writer.WriteElementString("authentication", "password-cleartext");
        writer.WriteElementString("username", "%EMAILADDRESS%");
        writer.WriteEndElement();
    }
}
