using System.Text;
using System.Xml.Linq;
using Groupware.CalDav.Xml;

namespace Groupware.CalDav.Reports;

/// <summary>
/// The components and properties a CALDAV:calendar-data element asks for (RFC 4791 §9.6.1 to
/// §9.6.4): a tree of CALDAV:comp elements, each with CALDAV:allprop or CALDAV:prop names (with
/// <c>novalue="yes"</c>: the name and parameters, a colon, no value) and CALDAV:allcomp or nested
/// comps. A comp with neither props nor comps returns its component whole, as §7.8.1's example
/// answers <c>&lt;C:comp name="VTIMEZONE"/&gt;</c> with the whole VTIMEZONE; one with props but no
/// comps leaves its subcomponents out, and the other way round. Applied to the text line by line,
/// so what is returned is what the client stored (folding and order kept), only with less of it.
/// </summary>
internal sealed class CalendarDataSelection
{
    private static readonly XName Allprop = DavNames.CalDav + "allprop";
    private static readonly XName Allcomp = DavNames.CalDav + "allcomp";
    private static readonly XName Prop = DavNames.CalDav + "prop";

    private CalendarDataSelection(string name, bool allProperties, IReadOnlyDictionary<string, bool> properties, bool allComponents,
        IReadOnlyList<CalendarDataSelection> components)
    {
        Name = name;
        AllProperties = allProperties;
        Properties = properties;
        AllComponents = allComponents;
        Components = components;
    }

    /// <summary>The component's name, upper case.</summary>
    public string Name { get; }

    public bool AllProperties { get; }

    /// <summary>The properties returned when not all are: name (upper case) → whether without value.</summary>
    public IReadOnlyDictionary<string, bool> Properties { get; }

    public bool AllComponents { get; }

    public IReadOnlyList<CalendarDataSelection> Components { get; }

    /// <summary>
    /// Reads the CALDAV:comp of a calendar-data element: null without one (the whole object), or with
    /// <paramref name="error"/> set when it does not name VCALENDAR at the top or a comp or prop has no name.
    /// </summary>
    public static CalendarDataSelection? Parse(XElement? calendarData, out string? error)
    {
        error = null;
        if (calendarData?.Element(DavNames.Comp) is not { } root)
        {
            return null;
        }

        var selection = ParseComp(root, 0, ref error);
        if (error is null && selection?.Name != "VCALENDAR")
        {
            error = "the outermost comp of calendar-data names VCALENDAR";
        }

        return error is null ? selection : null;
    }

    private static CalendarDataSelection? ParseComp(XElement element, int depth, ref string? error)
    {
        var name = ((string?)element.Attribute("name"))?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(name) || depth > 4)
        {
            error = "a comp of calendar-data needs a name (and nests at most five deep)";
            return null;
        }

        var props = element.Elements(Prop).ToList();
        var comps = element.Elements(DavNames.Comp).ToList();
        var allProperties = element.Element(Allprop) is not null;
        var allComponents = element.Element(Allcomp) is not null;
        if (!allProperties && props.Count == 0 && !allComponents && comps.Count == 0)
        {
            // An empty comp: the component whole (RFC 4791 §7.8.1's VTIMEZONE).
            allProperties = allComponents = true;
        }

        var properties = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        foreach (var prop in props)
        {
            var propName = ((string?)prop.Attribute("name"))?.Trim();
            if (string.IsNullOrEmpty(propName))
            {
                error = "a prop of calendar-data needs a name";
                return null;
            }

            properties[propName] = string.Equals((string?)prop.Attribute("novalue"), "yes", StringComparison.OrdinalIgnoreCase);
        }

        var children = new List<CalendarDataSelection>();
        foreach (var comp in comps)
        {
            if (ParseComp(comp, depth + 1, ref error) is not { } child)
            {
                return null;
            }

            children.Add(child);
        }

        return new CalendarDataSelection(name, allProperties, properties, allComponents, children);
    }

    /// <summary>The parts of <paramref name="ical"/> this selection asks for.</summary>
    public string Apply(string ical)
    {
        var lines = ContentLines(ical);
        var output = new StringBuilder(ical.Length);
        var index = 0;
        while (index < lines.Count)
        {
            if (BeginOf(lines[index][0]) is { } name)
            {
                index = Component(lines, index, string.Equals(name, Name, StringComparison.OrdinalIgnoreCase) ? this : null, output);
            }
            else
            {
                index++;
            }
        }

        return output.ToString();
    }

    /// <summary>
    /// Copies the component that begins at <paramref name="begin"/> as <paramref name="selection"/> asks
    /// (nothing when it is null) and returns the index after its END line.
    /// </summary>
    private static int Component(List<string[]> lines, int begin, CalendarDataSelection? selection, StringBuilder output)
    {
        if (selection is not null)
        {
            Append(output, lines[begin]);
        }

        var index = begin + 1;
        while (index < lines.Count)
        {
            var first = lines[index][0];
            if (EndOf(first) is not null)
            {
                if (selection is not null)
                {
                    Append(output, lines[index]);
                }

                return index + 1;
            }

            if (BeginOf(first) is { } child)
            {
                var chosen = selection is null ? null
                    : selection.AllComponents ? All(child)
                    : selection.Components.FirstOrDefault(c => string.Equals(c.Name, child, StringComparison.OrdinalIgnoreCase));
                index = Component(lines, index, chosen, output);
                continue;
            }

            if (selection is not null)
            {
                var name = NameOf(first);
                if (selection.AllProperties)
                {
                    Append(output, lines[index]);
                }
                else if (selection.Properties.TryGetValue(name, out var noValue))
                {
                    if (noValue)
                    {
                        Fold(output, WithoutValue(string.Concat(lines[index].Select((l, i) => i == 0 ? l : l[1..]))));
                    }
                    else
                    {
                        Append(output, lines[index]);
                    }
                }
            }

            index++;
        }

        return index;
    }

    private static CalendarDataSelection All(string name) =>
        new(name.ToUpperInvariant(), true, new Dictionary<string, bool>(), true, []);

    /// <summary>The content lines of the text, each as its physical lines (the first, then the folded continuations).</summary>
    private static List<string[]> ContentLines(string ical)
    {
        var result = new List<string[]>();
        var current = new List<string>();
        foreach (var raw in ical.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && current.Count > 0)
            {
                current.Add(line);
                continue;
            }

            if (current.Count > 0)
            {
                result.Add([.. current]);
                current.Clear();
            }

            if (line.Length > 0)
            {
                current.Add(line);
            }
        }

        if (current.Count > 0)
        {
            result.Add([.. current]);
        }

        return result;
    }

    private static string? BeginOf(string line) => line.StartsWith("BEGIN:", StringComparison.OrdinalIgnoreCase) ? line[6..].Trim() : null;

    private static string? EndOf(string line) => line.StartsWith("END:", StringComparison.OrdinalIgnoreCase) ? line[4..].Trim() : null;

    /// <summary>The property name of a content line: up to the first ';' or ':' (RFC 5545 §3.1).</summary>
    private static string NameOf(string line)
    {
        var end = line.IndexOfAny([';', ':']);
        return end < 0 ? line : line[..end];
    }

    /// <summary>A content line cut after its name and parameters: the first ':' outside a quoted parameter value.</summary>
    private static string WithoutValue(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                quoted = !quoted;
            }
            else if (line[i] == ':' && !quoted)
            {
                return line[..(i + 1)];
            }
        }

        return line + ":";
    }

    private static void Append(StringBuilder output, string[] physical)
    {
        foreach (var line in physical)
        {
            output.Append(line).Append("\r\n");
        }
    }

    /// <summary>RFC 5545 §3.1: a line longer than 75 characters folded (by characters, which never splits a UTF-16 pair here).</summary>
    private static void Fold(StringBuilder output, string line)
    {
        var offset = 0;
        while (line.Length - offset > (offset == 0 ? 75 : 74))
        {
            var take = offset == 0 ? 75 : 74;
            if (char.IsHighSurrogate(line[offset + take - 1]))
            {
                take--;
            }

            output.Append(offset == 0 ? "" : " ").Append(line, offset, take).Append("\r\n");
            offset += take;
        }

        output.Append(offset == 0 ? "" : " ").Append(line, offset, line.Length - offset).Append("\r\n");
    }
}
