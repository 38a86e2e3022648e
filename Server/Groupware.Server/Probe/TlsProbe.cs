using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Groupware.Server.Probe.Imap;
using Groupware.Server.Probe.Pop3;

namespace Groupware.Server.Probe;

/// <summary>How the TLS session starts: at once, or after the protocol's STARTTLS command.</summary>
internal enum TlsStart
{
    /// <summary>TLS from the first byte (993, 995; RFC 8314 §3.3).</summary>
    Implicit,

    /// <summary>IMAP STARTTLS (RFC 9051 §6.2.1).</summary>
    Imap,

    /// <summary>POP3 STLS (RFC 2595 §4).</summary>
    Pop3,
}

/// <summary>The options of <c>groupware probe tls</c>.</summary>
internal sealed record TlsProbeOptions
{
    /// <summary>check_http's <c>--certificate</c> habit and Let's Encrypt's renewal at 30 days left: 21 warns in time.</summary>
    public const int DefaultWarnDays = 21;

    /// <summary>A week: time for a human to renew by hand once automation has failed.</summary>
    public const int DefaultCritDays = 7;

    public required ProbeEndpoint Endpoint { get; init; }

    public required int Port { get; init; }

    public TlsStart Start { get; init; } = TlsStart.Implicit;

    public int WarnDays { get; init; } = DefaultWarnDays;

    public int CritDays { get; init; } = DefaultCritDays;

    /// <summary>The name sent as SNI and checked against the certificate; <c>--host</c> when null.</summary>
    public string? Sni { get; init; }

    /// <summary>Accept a certificate whose chain or name does not verify (self-signed); expiry and version still count.</summary>
    public bool Insecure { get; init; }

    public ProbeStatus RefuseState { get; init; } = ProbeStatus.Unknown;

    public ProbeStatus MismatchState { get; init; } = ProbeStatus.Unknown;

    /// <summary>The clock the days left are counted on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// <c>groupware probe tls</c>: connects (after STARTTLS/STLS if asked), completes a handshake, and
/// checks what RFC 8314 §4 and RFC 8996 ask of a mail server's TLS: version 1.2 or newer, a
/// certificate that chains to a trusted root and names the host (RFC 6125), and how many days it
/// has left.
/// </summary>
internal sealed class TlsProbe(TlsProbeOptions options)
{
    public const string Service = "TLS";

    public async Task<ProbeReport> RunAsync(CancellationToken cancellationToken)
    {
        if (options.CritDays > options.WarnDays)
        {
            return ProbeReport.Usage(Service, $"--crit-days ({options.CritDays}) must not be more than --warn-days ({options.WarnDays})");
        }

        var target = $"{options.Endpoint.Host}:{options.Port}";
        var transcript = new ProbeTranscript($"tls {target}{(options.Start == TlsStart.Implicit ? "" : $" starttls {options.Start.ToString().ToLowerInvariant()}")}");
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Endpoint.Timeout);
        ProbeReport Report(ProbeStatus status, string text, int? daysLeft = null)
        {
            List<PerformanceData> performance = [PerformanceData.Seconds("time", clock.Elapsed)];
            if (daysLeft is { } days)
            {
                performance.Add(new PerformanceData("days_left", days, Warning: $"{options.WarnDays}:", Critical: $"{options.CritDays}:"));
            }

            return new ProbeReport(Service, status, text, performance, [transcript]);
        }

        try
        {
            await using var connection = await ProbeConnection.ConnectAsync(options.Endpoint, options.Port, transcript, timeout.Token);
            var refusal = await NegotiateAsync(connection, timeout.Token);
            if (refusal is not null)
            {
                return Report(ProbeStatus.Critical, $"{target}: {refusal}");
            }

            var seen = new Seen();
            var sni = options.Sni ?? options.Endpoint.Host;
            SslStream tls;
            try
            {
                tls = await connection.StartTlsAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = sni,
                    // The system's choice: the server must refuse what is too old, and the probe reports what it got.
                    EnabledSslProtocols = SslProtocols.None,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = seen.Record,
                }, timeout.Token);
            }
            catch (AuthenticationException e)
            {
                return Report(ProbeStatus.Critical, $"{target}: TLS handshake failed: {e.GetBaseException().Message}");
            }
            catch (IOException e)
            {
                return Report(ProbeStatus.Critical, $"{target}: TLS handshake failed: {e.GetBaseException().Message}");
            }

            var (status, text, daysLeft) = Judge(tls, seen, sni);
            await SayGoodbyeAsync(connection, timeout.Token);
            return Report(status, $"{target}: {text}", daysLeft);
        }
        catch (ProbeUnreachableException e)
        {
            return Report(options.RefuseState, $"{target}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            transcript.Note("timed out");
            return Report(options.RefuseState, $"{target}: no answer within {options.Endpoint.Timeout.TotalSeconds:0.#} s");
        }
        catch (ProbeMismatchException e)
        {
            return Report(options.MismatchState, $"{target}: {e.Message}");
        }
    }

    /// <summary>Speaks the protocol up to the handshake; returns why the server would not start TLS, or null.</summary>
    private async Task<string?> NegotiateAsync(ProbeConnection connection, CancellationToken cancellationToken)
    {
        switch (options.Start)
        {
            case TlsStart.Imap:
                var imap = new ImapConversation(connection);
                var greeting = await imap.GreetingAsync(cancellationToken);
                if (greeting.Status != "OK")
                {
                    return $"the IMAP server greeted with {greeting.Status}: {greeting.Text}";
                }

                var answer = await imap.StartTlsAsync(cancellationToken);
                return answer.IsOk && answer.Kind == ImapResponseKind.Tagged ? null : $"STARTTLS refused: {answer.Line}";
            case TlsStart.Pop3:
                var pop3 = new Pop3Conversation(connection);
                var hello = await pop3.GreetingAsync(cancellationToken);
                if (!hello.IsOk)
                {
                    return $"the POP3 server greeted with {hello.Line}";
                }

                var stls = await pop3.StlsAsync(cancellationToken);
                return stls.IsOk ? null : $"STLS refused: {stls.Line}";
            default:
                return null;
        }
    }

    private (ProbeStatus Status, string Text, int? DaysLeft) Judge(SslStream tls, Seen seen, string sni)
    {
        var version = ProbeConnection.Describe(tls);
        if (seen.Certificate is not { } certificate)
        {
            return (ProbeStatus.Critical, $"{version}, the server sent no certificate", null);
        }

        var problems = new List<(ProbeStatus Status, string Text)>();
        // The enumeration grows with the version: everything below TLS 1.2 is what RFC 8996 retired.
        if ((int)tls.SslProtocol < (int)SslProtocols.Tls12)
        {
            problems.Add((ProbeStatus.Critical, $"{ProbeConnection.TlsVersionName(tls.SslProtocol)} negotiated; TLS 1.2 or newer is required (RFC 8996)"));
        }

        var unchecked_ = new List<string>();
        if ((seen.Errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            if (options.Insecure)
            {
                unchecked_.Add("name");
            }
            else
            {
                problems.Add((ProbeStatus.Critical, $"the certificate does not name {sni}"));
            }
        }

        if ((seen.Errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            if (options.Insecure)
            {
                unchecked_.Add("chain");
            }
            else
            {
                problems.Add((ProbeStatus.Critical, $"the certificate chain does not verify ({seen.ChainProblems})"));
            }
        }

        var now = options.Time.GetUtcNow();
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var daysLeft = (int)Math.Floor((notAfter - now).TotalDays);
        var until = notAfter.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        if (notAfter <= now)
        {
            problems.Add((ProbeStatus.Critical, $"the certificate EXPIRED on {until}"));
        }
        else if (notBefore > now)
        {
            problems.Add((ProbeStatus.Critical, $"the certificate is not valid before {notBefore:yyyy-MM-dd HH:mm} UTC"));
        }
        else if (daysLeft < options.CritDays)
        {
            problems.Add((ProbeStatus.Critical, $"the certificate expires in {daysLeft} day(s), on {until} (--crit-days {options.CritDays})"));
        }
        else if (daysLeft < options.WarnDays)
        {
            problems.Add((ProbeStatus.Warning, $"the certificate expires in {daysLeft} day(s), on {until} (--warn-days {options.WarnDays})"));
        }

        var subject = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var description = $"{version}, certificate {subject} valid until {until} ({daysLeft} days)";
        if (unchecked_.Count > 0)
        {
            description += $", {string.Join(" and ", unchecked_)} not verified (--insecure)";
        }

        return problems.Count == 0
            ? (ProbeStatus.Ok, description, daysLeft)
            : (ProbeStatuses.Worst(problems.Select(p => p.Status)), $"{string.Join("; ", problems.Select(p => p.Text))}; {description}", daysLeft);
    }

    private async Task SayGoodbyeAsync(ProbeConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            switch (options.Start)
            {
                case TlsStart.Imap:
                    await new ImapConversation(connection).LogoutAsync(cancellationToken);
                    break;
                case TlsStart.Pop3:
                    await new Pop3Conversation(connection).QuitAsync(cancellationToken);
                    break;
            }
        }
        catch (IOException)
        {
            // The verdict is made; a server that hangs up first changes nothing.
        }
    }

    /// <summary>What the certificate validation callback saw, kept for the verdict (the callback itself accepts all).</summary>
    private sealed class Seen
    {
        public X509Certificate2? Certificate { get; private set; }

        public SslPolicyErrors Errors { get; private set; }

        public string ChainProblems { get; private set; } = "";

        public bool Record(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            Certificate = certificate is null ? null : new X509Certificate2(certificate);
            Errors = errors;
            ChainProblems = chain is null
                ? ""
                : string.Join(", ", chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct());
            return true;
        }
    }
}
