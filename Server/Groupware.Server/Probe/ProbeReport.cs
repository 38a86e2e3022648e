namespace Groupware.Server.Probe;

/// <summary>
/// What a probe found, printed in the monitoring-plugins convention: one status line
/// <c>SERVICE STATUS - text | perfdata</c>, then (with <c>-v</c>) the long text, here the
/// transcripts; the exit code is the status (Monitoring Plugins Development Guidelines, "Plugin
/// Output" and "Performance data").
/// </summary>
/// <param name="Service">The service word that starts the line: PLAINTEXT or TLS.</param>
/// <param name="Status">The overall status, also the exit code.</param>
/// <param name="Text">The one-line summary after the dash.</param>
/// <param name="Performance">Performance data after the pipe.</param>
/// <param name="Transcripts">What was said on each connection, passwords masked; printed with -v.</param>
internal sealed record ProbeReport(
    string Service,
    ProbeStatus Status,
    string Text,
    IReadOnlyList<PerformanceData> Performance,
    IReadOnlyList<ProbeTranscript> Transcripts)
{
    /// <summary>The first (and for Nagios, the only parsed) line.</summary>
    public string StatusLine
    {
        get
        {
            // Nagios cuts the output at the first pipe: a pipe inside a server's text would hide the rest.
            var text = Text.Replace('|', '/').ReplaceLineEndings(" ");
            return Performance.Count == 0
                ? $"{Service} {Status.Word()} - {text}"
                : $"{Service} {Status.Word()} - {text} | {string.Join(' ', Performance)}";
        }
    }

    public int ExitCode => (int)Status;

    /// <summary>Writes the status line and, when <paramref name="verbose"/>, every transcript after it.</summary>
    public void WriteTo(TextWriter output, bool verbose)
    {
        output.WriteLine(StatusLine);
        if (!verbose)
        {
            return;
        }

        foreach (var transcript in Transcripts)
        {
            output.WriteLine(transcript.Heading);
            foreach (var line in transcript.Lines)
            {
                output.WriteLine($"  {line}");
            }
        }
    }

    /// <summary>A report for a problem with the probe's own invocation: UNKNOWN, as the guidelines ask for usage errors.</summary>
    public static ProbeReport Usage(string service, string text) => new(service, ProbeStatus.Unknown, text, [], []);
}
