using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace Groupware.Autoconfig.Documents;

/// <summary>
/// An Apple configuration profile (<c>.mobileconfig</c>, Apple's "Configuration Profile Reference"): a property
/// list of type <c>Configuration</c> holding a <c>com.apple.mail.managed</c> payload (IMAP over implicit TLS for
/// incoming mail, submission over implicit TLS for outgoing, <c>UseSSL</c> true on both) and a
/// <c>com.apple.caldav.account</c> payload (CalDAV over HTTPS). The user name is the address; the password is
/// asked on the device. Payload UUIDs are derived from the address and the host, so that installing the
/// profile again replaces the earlier one instead of adding a second account.
/// </summary>
internal static class AppleProfile
{
    public const string ContentType = "application/x-apple-aspen-config";

    public static byte[] Render(EmailAddress address, IReadOnlyList<ServerOffer> offers)
    {
        var imap = offers.First(ClientService.Imap);
        var submission = offers.First(ClientService.Submission);
        var caldav = offers.First(ClientService.CalDav);
        var identifier = string.Join('.', imap.Host.Split('.').Reverse()) + ".groupware." + address.Address;
        return XmlDocumentWriter.Write(writer =>
        {
            writer.WriteDocType("plist", "-//Apple//DTD PLIST 1.0//EN", "http://www.apple.com/DTDs/PropertyList-1.0.dtd", null);
            writer.WriteStartElement("plist");
            writer.WriteAttributeString("version", "1.0");
            writer.WriteStartElement("dict");
            Key(writer, "PayloadContent");
            writer.WriteStartElement("array");

            writer.WriteStartElement("dict");
            String(writer, "EmailAccountDescription", address.Address);
            String(writer, "EmailAccountType", "EmailTypeIMAP");
            String(writer, "EmailAddress", address.Address);
            String(writer, "IncomingMailServerAuthentication", "EmailAuthPassword");
            String(writer, "IncomingMailServerHostName", imap.Host);
            Integer(writer, "IncomingMailServerPortNumber", imap.Port);
            Bool(writer, "IncomingMailServerUseSSL", imap.Security == ServerSecurity.ImplicitTls);
            String(writer, "IncomingMailServerUsername", address.Address);
            String(writer, "OutgoingMailServerAuthentication", "EmailAuthPassword");
            String(writer, "OutgoingMailServerHostName", submission.Host);
            Integer(writer, "OutgoingMailServerPortNumber", submission.Port);
            Bool(writer, "OutgoingMailServerUseSSL", submission.Security == ServerSecurity.ImplicitTls);
            String(writer, "OutgoingMailServerUsername", address.Address);
            Bool(writer, "OutgoingPasswordSameAsIncomingPassword", true);
            Payload(writer, "com.apple.mail.managed", identifier + ".mail", $"Mail: {address.Address}", address, imap.Host);
            writer.WriteEndElement();

            writer.WriteStartElement("dict");
            String(writer, "CalDAVAccountDescription", address.Address);
            String(writer, "CalDAVHostName", caldav.Host);
            Integer(writer, "CalDAVPort", caldav.Port);
            Bool(writer, "CalDAVUseSSL", true);
            String(writer, "CalDAVUsername", address.Address);
            Payload(writer, "com.apple.caldav.account", identifier + ".caldav", $"Calendar: {address.Address}", address, caldav.Host);
            writer.WriteEndElement();

            writer.WriteEndElement();
            String(writer, "PayloadDescription", $"Mail and calendar for {address.Address}, over TLS only");
            Bool(writer, "PayloadRemovalDisallowed", false);
            Payload(writer, "Configuration", identifier, address.Address, address, imap.Host);
            writer.WriteEndElement();
            writer.WriteEndElement();
        });
    }

    /// <summary>The keys every payload has: type, identifier, UUID, version 1, display name.</summary>
    private static void Payload(XmlWriter writer, string type, string identifier, string displayName, EmailAddress address, string host)
    {
        String(writer, "PayloadDisplayName", displayName);
        String(writer, "PayloadIdentifier", identifier);
        String(writer, "PayloadType", type);
        String(writer, "PayloadUUID", StableUuid($"{type}\n{address.Address.ToLowerInvariant()}\n{host}"));
        Integer(writer, "PayloadVersion", 1);
    }

    /// <summary>A UUID (RFC 9562 §5.8 layout, version 8) made from a hash of <paramref name="name"/>: the same name, the same UUID.</summary>
    internal static string StableUuid(string name)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        var hex = Convert.ToHexString(bytes);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    private static void Key(XmlWriter writer, string key) => writer.WriteElementString("key", key);

    private static void String(XmlWriter writer, string key, string value)
    {
        Key(writer, key);
        writer.WriteElementString("string", value);
    }

    private static void Integer(XmlWriter writer, string key, int value)
    {
        Key(writer, key);
        writer.WriteElementString("integer", value.ToString(CultureInfo.InvariantCulture));
    }

    private static void Bool(XmlWriter writer, string key, bool value)
    {
        Key(writer, key);
        writer.WriteStartElement(value ? "true" : "false");
        writer.WriteEndElement();
    }
}
