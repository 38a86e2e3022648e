namespace Groupware.Server.Probe;

/// <summary>
/// What the probe and one server said to each other, for <c>-v</c>. Client lines that carry a
/// password are recorded masked; the password itself never reaches this object.
/// </summary>
internal sealed class ProbeTranscript(string heading)
{
    /// <summary>What replaces a password in the transcript.</summary>
    public const string Mask = "********";

    /// <summary>Bound on the recorded lines, so a server that talks without end cannot fill memory.</summary>
    private const int MaxLines = 500;

    private readonly List<string> _lines = [];

    public string Heading { get; } = heading;

    public IReadOnlyList<string> Lines => _lines;

    public void Client(string line) => Add($"C: {line}");

    public void Server(string line) => Add($"S: {line}");

    public void Note(string line) => Add($"-- {line}");

    private void Add(string line)
    {
        if (_lines.Count < MaxLines)
        {
            _lines.Add(line.Length > 300 ? line[..300] + "..." : line);
        }
        else if (_lines.Count == MaxLines)
        {
            _lines.Add("-- (transcript truncated)");
        }
    }
}
