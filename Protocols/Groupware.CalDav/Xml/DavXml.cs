using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Groupware.CalDav.Xml;

/// <summary>
/// Reads request bodies and writes response bodies. Reading prohibits DTDs (no entity expansion, so
/// no "billion laughs" and no external entities, RFC 4918 §20.6) and bounds the document by
/// characters as well as the body by octets (<see cref="CalDavOptions.MaxXmlBodySize"/>).
/// </summary>
internal static class DavXml
{
    /// <summary>Parses a body; null with <paramref name="error"/> set when it is not well-formed XML.</summary>
    public static XDocument? Parse(byte[] body, out string error)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = body.Length + 1,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        try
        {
            using var stream = new MemoryStream(body, writable: false);
            using var reader = XmlReader.Create(stream, settings);
            error = "";
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>The UTF-8 octets of <paramref name="root"/> with an XML declaration.</summary>
    public static byte[] Serialize(XElement root)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(writer);
        }

        return stream.ToArray();
    }

    /// <summary>An HTTP status line as WebDAV's DAV:status holds it (RFC 4918 §14.28).</summary>
    public static XElement Status(int code) => new(DavNames.Status, string.Create(CultureInfo.InvariantCulture,
        $"HTTP/1.1 {code} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code)}"));

    /// <summary>The text of an element, trimmed; empty when absent.</summary>
    public static string TextOf(XElement? element) => element?.Value.Trim() ?? "";
}
