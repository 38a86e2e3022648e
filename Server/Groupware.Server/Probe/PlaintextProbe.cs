using System.Diagnostics;
using Groupware.Server.Probe.Imap;
using Groupware.Server.Probe.Pop3;

namespace Groupware.Server.Probe;

/// <summary>What the operator expects of clear-text logins on the probed node.</summary>
internal enum PlaintextExpectation
{
    /// <summary>A secure node: every clear-text login must be refused (DESIGN.md, the security invariant).</summary>
    Refused,

    /// <summary>A legacy node: the canary (a legacy-device account) must be able to log in in clear text.</summary>
    Allowed,
}

/// <summary>The options of <c>groupware probe plaintext</c>.</summary>
internal sealed record PlaintextProbeOptions
{
    public required ProbeEndpoint Endpoint { get; init; }

    public int? ImapPort { get; init; }

    public int? Pop3Port { get; init; }

    public int? HttpPort { get; init; }

    public int? RpcPort { get; init; }

    /// <summary>The canary's login; null only with <see cref="NoCredentials"/>.</summary>
    public string? User { get; init; }

    /// <summary>The canary's password, read from <c>--password-file</c>.</summary>
    public string? Password { get; init; }

    public PlaintextExpectation Expect { get; init; } = PlaintextExpectation.Refused;

    /// <summary>Only read what the server offers before TLS; send no password.</summary>
    public bool NoCredentials { get; init; }

    /// <summary>The status for a port that refuses the connection or does not answer in time (check_tcp's <c>-r</c>).</summary>
    public ProbeStatus RefuseState { get; init; } = ProbeStatus.Unknown;

    /// <summary>The status for a port that does not speak the protocol (check_tcp's <c>-M</c>).</summary>
    public ProbeStatus MismatchState { get; init; } = ProbeStatus.Unknown;
}

/// <summary>What one port told the probe.</summary>
internal sealed record PortFinding(string Protocol, int Port, ProbeStatus Status, string Summary, TimeSpan Elapsed, ProbeTranscript Transcript)
{
    public PerformanceData Performance => PerformanceData.Seconds($"{Protocol}_time", Elapsed);
}

/// <summary>
/// <c>groupware probe plaintext</c>: behaves like a careless client on each clear-text port (IMAP
/// LOGIN even when LOGINDISABLED is advertised, RFC 9051 §6.2.3; POP3 USER/PASS, RFC 1939 §7; HTTP
/// Basic, RFC 7617) and
/// raises the alarm when a clear-text login succeeds on a secure node, or fails on a legacy node.
/// With <see cref="PlaintextProbeOptions.NoCredentials"/> it sends no password and judges what the
/// server offers before TLS (RFC 2595 §3.2 LOGINDISABLED, RFC 2449 §6.1 USER).
/// </summary>
internal sealed class PlaintextProbe(PlaintextProbeOptions options)
{
    public const string Service = "PLAINTEXT";

    /// <summary>The standard clear-text ports probed when none is named: IMAP 143 and POP3 110 (RFC 9051 §2.1, RFC 1939 §3).</summary>
    public const int StandardImapPort = 143;

    public const int StandardPop3Port = 110;

    public async Task<ProbeReport> RunAsync(CancellationToken cancellationToken)
    {
        if (!options.NoCredentials && (string.IsNullOrEmpty(options.User) || options.Password is null))
        {
            return ProbeReport.Usage(Service, "--user and --password-file are required unless --no-credentials is given");
        }

        // The login goes on a command line of the protocol: a control character would end it and start another command.
        if (options.User is { } user && user.Any(char.IsControl))
        {
            return ProbeReport.Usage(Service, "--user must not contain control characters");
        }

        var findings = new List<PortFinding>();
        var anyPort = options.ImapPort is not null || options.Pop3Port is not null || options.HttpPort is not null || options.RpcPort is not null;
        if ((options.ImapPort ?? (anyPort ? null : StandardImapPort)) is { } imap)
        {
            findings.Add(await ProbeAsync("imap", imap, ImapAsync, cancellationToken));
        }

        if ((options.Pop3Port ?? (anyPort ? null : StandardPop3Port)) is { } pop3)
        {
            findings.Add(await ProbeAsync("pop3", pop3, Pop3Async, cancellationToken));
        }

        if (options.HttpPort is { } http)
        {
            findings.Add(await ProbeAsync("http", http, (c, n, t) => HttpAsync(c, n, http, t), cancellationToken));
        }

        if (options.RpcPort is { } rpc)
        {
            findings.Add(NotYet("rpc", rpc, "the RPC logon probe arrives with the RPC front-end; nothing was checked"));
        }

        return new ProbeReport(Service, ProbeStatuses.Worst(findings.Select(f => f.Status)),
            string.Join("; ", findings.Select(f => f.Summary)),
            findings.Where(f => f.Elapsed > TimeSpan.Zero).Select(f => f.Performance).ToList(),
            findings.Where(f => f.Transcript.Lines.Count > 0).Select(f => f.Transcript).ToList());
    }

    private delegate Task<(ProbeStatus Status, string Text)> Conversation(ProbeConnection connection, string name, CancellationToken cancellationToken);

    /// <summary>One port, bounded by the timeout; every way a conversation can fail ends here as a finding.</summary>
    private async Task<PortFinding> ProbeAsync(string protocol, int port, Conversation conversation, CancellationToken cancellationToken)
    {
        var name = $"{protocol}/{port}";
        var transcript = new ProbeTranscript($"{protocol} {options.Endpoint.Host}:{port}");
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Endpoint.Timeout);
        try
        {
            await using var connection = await ProbeConnection.ConnectAsync(options.Endpoint, port, transcript, timeout.Token);
            var (status, text) = await conversation(connection, name, timeout.Token);
            return new PortFinding(protocol, port, status, text, clock.Elapsed, transcript);
        }
        catch (ProbeUnreachableException e)
        {
            return new PortFinding(protocol, port, options.RefuseState, $"{name}: {e.Message}", clock.Elapsed, transcript);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            transcript.Note("timed out");
            return new PortFinding(protocol, port, options.RefuseState,
                $"{name}: no answer within {options.Endpoint.Timeout.TotalSeconds:0.#} s", clock.Elapsed, transcript);
        }
        catch (ProbeMismatchException e)
        {
            return new PortFinding(protocol, port, options.MismatchState, $"{name}: {e.Message}", clock.Elapsed, transcript);
        }
    }

    private async Task<(ProbeStatus, string)> ImapAsync(ProbeConnection connection, string name, CancellationToken cancellationToken)
    {
        var imap = new ImapConversation(connection);
        var greeting = await imap.GreetingAsync(cancellationToken);
        if (greeting.Status == "BYE")
        {
            return (options.RefuseState, $"{name}: the server refused the session: {greeting.Text}");
        }

        if (greeting.Status == "PREAUTH")
        {
            await imap.LogoutAsync(cancellationToken);
            return (options.MismatchState, $"{name}: the server pre-authenticated the connection (PREAUTH); there is no login to probe");
        }

        var capabilities = await imap.CapabilityAsync(cancellationToken);
        if (options.NoCredentials)
        {
            await imap.LogoutAsync(cancellationToken);
            // RFC 9051 §6.2.3: LOGINDISABLED means LOGIN is refused; AUTH=PLAIN and AUTH=LOGIN carry a replayable password.
            var offers = new List<string>();
            if (!capabilities.Contains("LOGINDISABLED"))
            {
                offers.Add("LOGINDISABLED not advertised");
            }

            offers.AddRange(capabilities.Where(c => c is "AUTH=PLAIN" or "AUTH=LOGIN"));
            return Offered(name, offers, capabilities.Contains("STARTTLS") ? "STARTTLS" : "no STARTTLS");
        }

        var login = await imap.LoginAsync(options.User!, options.Password!, cancellationToken);
        var accepted = login.Kind == ImapResponseKind.Tagged && login.IsOk;
        if (login.Status != "BYE")
        {
            await imap.LogoutAsync(cancellationToken);
        }

        var answer = login.Code is null ? $"{login.Status} {login.Text}" : $"{login.Status} [{login.Code}] {login.Text}";
        if (accepted)
        {
            return options.Expect == PlaintextExpectation.Refused
                ? (ProbeStatus.Critical, $"{name}: clear-text LOGIN for {options.User} was ACCEPTED")
                : (ProbeStatus.Ok, $"{name}: clear-text LOGIN for {options.User} accepted");
        }

        if (options.Expect == PlaintextExpectation.Allowed)
        {
            return (ProbeStatus.Critical, $"{name}: clear-text LOGIN for {options.User} refused ({answer.Trim()})");
        }

        // RFC 5530 §3: AUTHENTICATIONFAILED says the credentials were judged, so the server took a
        // password in clear text: with the canary's right password it would have let it in.
        if (string.Equals(login.Code, "AUTHENTICATIONFAILED", StringComparison.OrdinalIgnoreCase))
        {
            return (ProbeStatus.Warning,
                $"{name}: clear-text LOGIN refused with AUTHENTICATIONFAILED, so the password was checked in clear text; is the canary's password right? ({answer.Trim()})");
        }

        return (ProbeStatus.Ok, $"{name}: clear-text LOGIN refused ({answer.Trim()})");
    }

    private async Task<(ProbeStatus, string)> Pop3Async(ProbeConnection connection, string name, CancellationToken cancellationToken)
    {
        var pop3 = new Pop3Conversation(connection);
        var greeting = await pop3.GreetingAsync(cancellationToken);
        if (!greeting.IsOk)
        {
            return (options.RefuseState, $"{name}: the server refused the session: {greeting.Line}");
        }

        var capabilities = await pop3.CapaAsync(cancellationToken);
        if (options.NoCredentials)
        {
            await pop3.QuitAsync(cancellationToken);
            var offers = new List<string>();
            if (capabilities is null)
            {
                // RFC 1939 servers without CAPA always accept USER/PASS.
                offers.Add("no CAPA, so USER/PASS is assumed");
            }
            else
            {
                var words = capabilities.Select(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(w => w.Length > 0).ToList();
                if (words.Any(w => w[0].Equals("USER", StringComparison.OrdinalIgnoreCase)))
                {
                    offers.Add("USER advertised");
                }

                offers.AddRange(words.Where(w => w[0].Equals("SASL", StringComparison.OrdinalIgnoreCase))
                    .SelectMany(w => w.Skip(1))
                    .Where(m => m.Equals("PLAIN", StringComparison.OrdinalIgnoreCase) || m.Equals("LOGIN", StringComparison.OrdinalIgnoreCase))
                    .Select(m => $"SASL {m.ToUpperInvariant()}"));
            }

            var stls = capabilities?.Any(c => c.Equals("STLS", StringComparison.OrdinalIgnoreCase)) == true ? "STLS" : "no STLS";
            return Offered(name, offers, stls);
        }

        var user = await pop3.UserAsync(options.User!, cancellationToken);
        Pop3Response final = user;
        if (user.IsOk)
        {
            final = await pop3.PassAsync(options.Password!, cancellationToken);
        }

        await pop3.QuitAsync(cancellationToken);
        var step = user.IsOk ? "PASS" : "USER";
        if (final.IsOk)
        {
            return options.Expect == PlaintextExpectation.Refused
                ? (ProbeStatus.Critical, $"{name}: clear-text USER/PASS for {options.User} was ACCEPTED")
                : (ProbeStatus.Ok, $"{name}: clear-text USER/PASS for {options.User} accepted");
        }

        return options.Expect == PlaintextExpectation.Allowed
            ? (ProbeStatus.Critical, $"{name}: clear-text USER/PASS for {options.User} refused at {step} ({final.Line})")
            : (ProbeStatus.Ok, $"{name}: clear-text USER/PASS refused at {step} ({final.Line})");
    }

    /// <summary>
    /// HTTP Basic (RFC 7617) in clear, as a careless CalDAV client sends it: a PROPFIND of / with the
    /// canary's credentials. A 2xx means they were taken (CRITICAL on a secure node); 401 means they
    /// were checked in clear, like IMAP's AUTHENTICATIONFAILED (WARNING); 403 or a redirect means refused
    /// unchecked. Without credentials a GET of / tells whether the server asks for Basic in clear
    /// (401 with a Basic challenge) or sends clients to https (3xx).
    /// </summary>
    private async Task<(ProbeStatus, string)> HttpAsync(ProbeConnection connection, string name, int port, CancellationToken cancellationToken)
    {
        var method = options.NoCredentials ? "GET" : "PROPFIND";
        await connection.WriteLineAsync($"{method} / HTTP/1.1", cancellationToken);
        await connection.WriteLineAsync($"Host: {options.Endpoint.Host}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}", cancellationToken);
        if (!options.NoCredentials)
        {
            var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{options.User}:{options.Password}"));
            await connection.WriteLineAsync($"Authorization: Basic {basic}", cancellationToken, masked: "Authorization: Basic ***");
            await connection.WriteLineAsync("Depth: 0", cancellationToken);
        }

        await connection.WriteLineAsync("Content-Length: 0", cancellationToken);
        await connection.WriteLineAsync("Connection: close", cancellationToken);
        await connection.WriteLineAsync("", cancellationToken);

        var statusLine = await connection.ReadLineAsync(cancellationToken);
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[1].Length != 3
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status))
        {
            throw new ProbeMismatchException($"not an HTTP status line: {statusLine}");
        }

        string? location = null;
        var basicChallenge = false;
        for (var header = await connection.ReadLineAsync(cancellationToken); header.Length > 0; header = await connection.ReadLineAsync(cancellationToken))
        {
            if (header.StartsWith("Location:", StringComparison.OrdinalIgnoreCase))
            {
                location = header["Location:".Length..].Trim();
            }
            else if (header.StartsWith("WWW-Authenticate:", StringComparison.OrdinalIgnoreCase)
                && header["WWW-Authenticate:".Length..].TrimStart().StartsWith("Basic", StringComparison.OrdinalIgnoreCase))
            {
                basicChallenge = true;
            }
        }

        var answer = $"{status}{(location is null ? "" : " to " + location)}";
        if (options.NoCredentials)
        {
            List<string> offers = status == 401 && basicChallenge ? ["Basic asked for in clear"] : status is >= 200 and < 300 ? ["served in clear without login"] : [];
            return Offered(name, offers, status is >= 300 and < 400 ? $"redirects ({answer})" : $"answers {answer}");
        }

        var accepted = status is >= 200 and < 300;
        if (accepted)
        {
            return options.Expect == PlaintextExpectation.Refused
                ? (ProbeStatus.Critical, $"{name}: clear-text Basic for {options.User} was ACCEPTED ({answer})")
                : (ProbeStatus.Ok, $"{name}: clear-text Basic for {options.User} accepted ({answer})");
        }

        if (options.Expect == PlaintextExpectation.Allowed)
        {
            return (ProbeStatus.Critical, $"{name}: clear-text Basic for {options.User} refused ({answer})");
        }

        return status == 401
            ? (ProbeStatus.Warning, $"{name}: clear-text Basic refused with 401, so the password was checked in clear text; is the canary's password right?")
            : (ProbeStatus.Ok, $"{name}: clear-text Basic refused ({answer})");
    }

    /// <summary>The verdict of <c>--no-credentials</c>: WARNING when the offer contradicts the expectation.</summary>
    private (ProbeStatus, string) Offered(string name, List<string> offers, string upgrade)
    {
        var wouldAccept = offers.Count > 0;
        var expected = wouldAccept == (options.Expect == PlaintextExpectation.Allowed);
        var text = wouldAccept
            ? $"{name}: would accept a clear-text password ({string.Join(", ", offers)}; {upgrade})"
            : $"{name}: offers no clear-text login ({upgrade})";
        return (expected ? ProbeStatus.Ok : ProbeStatus.Warning, text);
    }

    private static PortFinding NotYet(string protocol, int port, string text) =>
        new(protocol, port, ProbeStatus.Unknown, $"{protocol}/{port}: {text}", TimeSpan.Zero, new ProbeTranscript($"{protocol} port {port}"));
}
