using System.Text;
using System.Xml;

namespace Groupware.Autoconfig.Documents;

/// <summary>Writes an XML document to UTF-8 octets, indented, with the declaration: every document here is one.</summary>
internal static class XmlDocumentWriter
{
    public static byte[] Write(Action<XmlWriter> body)
    {
        using var stream = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, Async = false };
        using (var writer = XmlWriter.Create(stream, settings))
        {
            writer.WriteStartDocument();
            body(writer);
            writer.WriteEndDocument();
        }

        return stream.ToArray();
    }
}
