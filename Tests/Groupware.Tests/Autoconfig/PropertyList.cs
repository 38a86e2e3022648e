using System.Globalization;
using System.Xml;

namespace Groupware.Tests.Autoconfig;

/// <summary>
/// Reads an XML property list (Apple's PropertyList-1.0 DTD) as plutil does, strictly: a dict alternates
/// <c>key</c> and one value, values are dict, array, string, integer, real, true, false, date or data, and
/// anything else is an error. Dicts become dictionaries, arrays lists, integers longs.
/// </summary>
internal static class PropertyList
{
    public static object Parse(byte[] document)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, IgnoreWhitespace = true, IgnoreComments = true };
        using var reader = XmlReader.Create(new MemoryStream(document), settings);
        reader.MoveToContent();
        if (reader.LocalName != "plist" || reader.GetAttribute("version") != "1.0")
        {
            throw new FormatException($"the root is <{reader.LocalName}>, not <plist version=\"1.0\">");
        }

        reader.Read();
        var value = ReadValue(reader);
        if (reader.NodeType != XmlNodeType.EndElement || reader.LocalName != "plist")
        {
            throw new FormatException("more than one value in <plist>");
        }

        return value;
    }

    private static object ReadValue(XmlReader reader)
    {
        if (reader.NodeType != XmlNodeType.Element)
        {
            throw new FormatException($"expected a value, found {reader.NodeType}");
        }

        var name = reader.LocalName;
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return name switch
            {
                "true" => true,
                "false" => false,
                "string" => "",
                "dict" => new Dictionary<string, object>(),
                "array" => new List<object>(),
                _ => throw new FormatException($"<{name}/> is not a value"),
            };
        }

        switch (name)
        {
            case "dict":
            {
                var dict = new Dictionary<string, object>(StringComparer.Ordinal);
                reader.Read();
                while (reader.NodeType != XmlNodeType.EndElement)
                {
                    if (reader.LocalName != "key")
                    {
                        throw new FormatException($"<{reader.LocalName}> where a <key> belongs");
                    }

                    var key = reader.ReadElementContentAsString();
                    if (!dict.TryAdd(key, ReadValue(reader)))
                    {
                        throw new FormatException($"key {key} twice in one dict");
                    }
                }

                reader.Read();
                return dict;
            }

            case "array":
            {
                var list = new List<object>();
                reader.Read();
                while (reader.NodeType != XmlNodeType.EndElement)
                {
                    list.Add(ReadValue(reader));
                }

                reader.Read();
                return list;
            }

            case "string":
                return reader.ReadElementContentAsString();
            case "integer":
                return long.Parse(reader.ReadElementContentAsString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            case "real":
                return double.Parse(reader.ReadElementContentAsString(), CultureInfo.InvariantCulture);
            case "date":
                return DateTimeOffset.Parse(reader.ReadElementContentAsString(), CultureInfo.InvariantCulture);
            case "data":
                return Convert.FromBase64String(reader.ReadElementContentAsString().Trim());
            default:
                throw new FormatException($"<{name}> is not a property list value");
        }
    }
}
