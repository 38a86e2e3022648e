using System.Diagnostics;
using System.Globalization;
using System.Text;
using Groupware.Auth;
using Groupware.Auth.Sasl;
using Groupware.Connections;
using Groupware.Connections.Framing;
using Groupware.Imap.Commands;
using Groupware.Imap.Responses;
using Groupware.Imap.Syntax;
using Groupware.Storage;
using Groupware.Storage.Accounts;
using Groupware.Storage.Mail;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Groupware.Imap;

/// <summary>The session states of RFC 9051 §3 (Logout is the moment the connection closes, not a state one waits in).</summary>
[Flags]
internal enum ImapState
{
    NotAuthenticated = 1,
    Authenticated = 2,
    Selected = 4,
    Any = NotAuthenticated | Authenticated | Selected,
    LoggedIn = Authenticated | Selected,
}

/// <summary>
/// One IMAP connection: the session state (the account, what the client enabled, the selected
/// mailbox's view) and the I/O loop. Each framed command (lines and literals, from the engine) is
/// read (<see cref="ImapReader"/>), looked up in the <see cref="CommandTable"/>, checked against the
/// states it is allowed in, run, and answered: first the untagged data it produced, then the
/// changes other sessions made to the selected mailbox that may be announced now (RFC 9051 §7.4.1,
/// §7.5.1: never an EXPUNGE during FETCH, STORE or SEARCH), then its tagged completion.
/// </summary>
internal sealed partial class ImapSession : LineSession
{
    private readonly ImapProtocol _protocol;
    private readonly long _connectedAt;
    private int _authFailures;
    private bool _countedSession;
    private MailChangeSubscription? _changes;

    public ImapSession(ImapProtocol protocol, ConnectionContext connection, ListenerContext listener, ILogger logger)
        : base(connection, listener, listener.Limits, logger, CommandFramer.LinesWithLiterals(listener.Limits))
    {
        _protocol = protocol;
        _connectedAt = listener.Time.GetTimestamp();
    }

    public ImapState State { get; private set; } = ImapState.NotAuthenticated;

    public Account? Account { get; private set; }

    /// <summary>The selected mailbox, in the Selected state.</summary>
    public SelectedMailbox? Selected { get; private set; }

    /// <summary>
    /// What ENABLE turned on (RFC 5161): <c>IMAP4rev2</c>, <c>UTF8=ACCEPT</c>, <c>QRESYNC</c>; and
    /// <c>CONDSTORE</c>, which any CONDSTORE enabling command turns on (RFC 7162 §3.1).
    /// </summary>
    public HashSet<string> Enabled { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>IMAP4rev2 semantics (RFC 9051) once the client enabled them; IMAP4rev1 (RFC 3501) otherwise.</summary>
    public bool Rev2 => Enabled.Contains("IMAP4rev2");

    /// <summary>Mailbox names and strings in UTF-8 (RFC 9051 §5.1, RFC 6855): after ENABLE IMAP4rev2 or UTF8=ACCEPT.</summary>
    public bool Utf8 => Rev2 || Enabled.Contains("UTF8=ACCEPT");

    /// <summary>
    /// Whether the client is CONDSTORE-aware (RFC 7162 §3.1): every untagged FETCH carries UID and
    /// MODSEQ from now on (§3.2.4), and SELECT and EXAMINE answer HIGHESTMODSEQ (§3.1.2).
    /// </summary>
    public bool CondStore => Enabled.Contains("CONDSTORE");

    /// <summary>Whether ENABLE QRESYNC was answered (RFC 7162 §3.2.3): expunges are announced as VANISHED.</summary>
    public bool QResync => Enabled.Contains("QRESYNC");

    /// <summary>
    /// What a CONDSTORE enabling command does first (RFC 7162 §3.1): turns CONDSTORE on, and the first
    /// time, with a mailbox selected, tells its HIGHESTMODSEQ. Returns whether it was newly enabled.
    /// </summary>
    public bool EnableCondStore()
    {
        if (!Enabled.Add("CONDSTORE"))
        {
            return false;
        }

        if (Selected is { } selected)
        {
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"* OK [HIGHESTMODSEQ {selected.HighestModSeq}] Highest mailbox mod-sequence."));
        }

        return true;
    }

    /// <summary>UIDs the last SEARCH with RETURN (SAVE) found in the selected mailbox: what <c>$</c> names (RFC 5182 §2.1).</summary>
    public IReadOnlyCollection<long>? SavedSearch { get; set; }

    /// <summary>A SASL exchange refused before TLS, whose response a client may still send on the next line.</summary>
    public LateSaslResponses? LateSasl { get; set; }

    public AuthService Auth => _protocol.Auth;

    public MailStore Store => _protocol.Store;

    public ImapOptions Options => _protocol.Options;

    /// <summary>How AUTHENTICATE's challenges and responses travel on IMAP (RFC 9051 §6.2.2).</summary>
    public ISaslWire SaslWire => new ImapSaslWire(this);

    /// <summary>Whether STARTTLS may be used now: a certificate, a STARTTLS listener, no TLS yet.</summary>
    public bool CanStartTls => !Security.IsTls && Listener.Certificates is not null && Listener.Tls != TlsMode.Implicit;

    /// <summary>The CAPABILITY list this session would answer now (RFC 9051 §7.2.2).</summary>
    public string Capabilities => ImapCapabilities.For(this);

    /// <summary>Whether this command may not be followed by an EXPUNGE response (RFC 9051 §7.5.1): FETCH, STORE, SEARCH by number.</summary>
    public bool ExpungesHeld { get; set; }

    protected override ReadOnlyMemory<byte> LiteralContinuation(in LiteralRequest request) => "+ Ready for literal data\r\n"u8.ToArray();

    /// <summary>An APPEND body is spooled (it may be 64 MiB); every other literal is small and kept in memory.</summary>
    protected override LiteralDecision DecideLiteral(in LiteralRequest request)
    {
        if (IsAppend(request.FirstLine))
        {
            return request.Marker.Length > Options.MaxMessageSize || request.Index >= Options.MaxAppendMessages
                ? LiteralDecision.Refuse
                : LiteralDecision.Spool;
        }

        return LiteralDecision.Buffer;
    }

    protected override async ValueTask<SessionStep> GreetAsync(CancellationToken cancellationToken)
    {
        // Neutral on purpose (DESIGN.md): no product name for clients to switch quirks on.
        await WriteLineAsync($"* OK [CAPABILITY {Capabilities}] IMAP server ready.", cancellationToken);
        return SessionStep.Continue;
    }

    protected override async ValueTask<SessionStep> OnCommandAsync(FramedCommand command, CancellationToken cancellationToken)
    {
        var late = LateSasl;
        LateSasl = null;
        var reader = new ImapReader(command);
        var oneToken = command.LineCount == 1 && command.FirstLine.IndexOf((byte)' ') < 0;
        if (!reader.TryReadTag(out var tag) || oneToken)
        {
            if (late is not null && oneToken && late.TryTake(command.FirstLine, out var credentials))
            {
                // A base64 SASL response sent after the refusal: a password in clear if the mechanism now has one.
                LateSasl = credentials is null ? late : null;
                if (credentials is not null)
                {
                    await Auth.AuthenticateAsync(credentials, Security, cancellationToken);
                    WriteExposedAlert();
                }

                await WriteLineAsync("* BAD [PRIVACYREQUIRED] Plaintext authentication is disallowed without TLS; use STARTTLS.", cancellationToken);
                return SessionStep.Continue;
            }

            await WriteLineAsync(oneToken && tag is { Length: > 0 } ? $"{tag} BAD Missing command." : "* BAD Missing or invalid tag.", cancellationToken);
            return SessionStep.Continue;
        }

        var result = await RunAsync(tag, reader, command, cancellationToken);
        if (result.Silent)
        {
            return result.Step;
        }

        if (result.Step == SessionStep.Continue)
        {
            await AnnounceChangesAsync(cancellationToken);
        }

        ExpungesHeld = false;
        Write(result.Render(tag));
        Write("\r\n"u8);
        await FlushAsync(cancellationToken);
        return result.Step;
    }

    protected override async ValueTask<SessionStep> OnFramingErrorAsync(FramedCommand command, CancellationToken cancellationToken)
    {
        var tag = TagOf(command.Head);
        if (command.Error == FrameError.LiteralRefused)
        {
            // Only an APPEND's literal is refused (DecideLiteral): a tagged NO [TOOBIG], as RFC 7889 §4 has
            // for a message over APPENDLIMIT; the command was well formed.
            await WriteLineAsync($"{tag ?? "*"} NO [TOOBIG] The message is larger than APPENDLIMIT={Options.MaxMessageSize}, " +
                $"or the APPEND carries more than {Options.MaxAppendMessages} messages.", cancellationToken);
            return SessionStep.Continue;
        }

        var text = command.Error switch
        {
            FrameError.LineTooLong => "[TOOBIG] Command line too long.",
            FrameError.CommandTooLong => "[TOOBIG] Command too long.",
            FrameError.NonSynchronizingLiteralTooLarge => "[TOOBIG] Non-synchronizing literals are limited to 4096 octets (LITERAL-); use a synchronizing literal.",
            _ => "[TOOBIG] Literal too large.",
        };
        await WriteLineAsync($"{tag ?? "*"} BAD {text}", cancellationToken);
        return SessionStep.Continue;
    }

    /// <summary>Before login, the autologout shrinks to what is left of <see cref="ImapOptions.LoginTimeout"/>.</summary>
    protected override TimeSpan ReadTimeout => State == ImapState.NotAuthenticated
        ? Clamp(Options.LoginTimeout - Time.GetElapsedTime(_connectedAt), Limits.IdleTimeout)
        : Limits.IdleTimeout;

    // RFC 9051 §7.1.5: BYE as the announcement of an inactivity autologout.
    protected override ValueTask OnIdleTimeoutAsync(CancellationToken cancellationToken) =>
        WriteLineAsync(State == ImapState.NotAuthenticated
            ? "* BYE No login within the time allowed; disconnecting."
            : "* BYE Autologout; idle for too long.", cancellationToken);

    protected override ValueTask OnTooSlowAsync(CancellationToken cancellationToken) =>
        WriteLineAsync("* BYE Command sent too slowly; disconnecting.", cancellationToken);

    protected override ValueTask OnShutdownAsync(CancellationToken cancellationToken) =>
        WriteLineAsync("* BYE [UNAVAILABLE] Server shutting down.", cancellationToken);

    protected override ValueTask OnClosedAsync()
    {
        ReleaseAccount();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// UNAUTHENTICATE (RFC 8437 §3): the session goes back to Not Authenticated with nothing of the
    /// user left: no selected mailbox, no change feed, nothing enabled, not counted against the user.
    /// </summary>
    public void LogOut()
    {
        Deselect();
        ReleaseAccount();
        Account = null;
        Enabled.Clear();
        LateSasl = null;
        State = ImapState.NotAuthenticated;
    }

    private void ReleaseAccount()
    {
        _changes?.Dispose();
        _changes = null;
        if (_countedSession && Account is { } account)
        {
            _protocol.Sessions.Leave(account.Id, Security.RemoteAddress);
            _countedSession = false;
        }
    }

    // RFC 9051 §6.2.1 / DESIGN.md: nothing learnt before the handshake survives it.
    protected override void OnTlsStarted()
    {
        LateSasl = null;
        Enabled.Clear();
    }

    /// <summary>STARTTLS: answers and upgrades; the session ends if the upgrade does not complete.</summary>
    public async ValueTask<SessionStep> UpgradeAsync(string tag, CancellationToken cancellationToken) =>
        await StartTlsAsync(Encoding.ASCII.GetBytes($"{tag} OK Begin TLS negotiation now.\r\n"), cancellationToken) == StartTlsOutcome.Started
            ? SessionStep.Continue
            : SessionStep.Close;

    /// <summary>Whether COMPRESS=DEFLATE is on (RFC 4978); it stays on until the connection ends.</summary>
    public bool Compressed { get; private set; }

    /// <summary>Turns on COMPRESS=DEFLATE (RFC 4978) after its tagged OK.</summary>
    public async ValueTask CompressAsync(string tag, CancellationToken cancellationToken)
    {
        await StartCompressionAsync(Encoding.ASCII.GetBytes($"{tag} OK DEFLATE active.\r\n"), cancellationToken);
        Compressed = true;
    }

    /// <summary>The untagged warning a client gets before its refusal when it sent a password in clear (DESIGN.md, as Dovecot does).</summary>
    public void WriteExposedAlert() =>
        WriteLine("* BAD [ALERT] Your password was sent in clear text over an unencrypted connection and may have been exposed; " +
            "change it, and set your mail client to use TLS (port 993, or STARTTLS on 143).");

    /// <summary>
    /// Hands a credential that arrived (LOGIN or SASL) to the auth module, which alone decides, and
    /// answers with the RFC 5530 response code that fits the outcome. On success the session is
    /// counted against <see cref="ImapOptions.MaxSessionsPerUserAndAddress"/> and subscribes to the
    /// account's changes.
    /// </summary>
    public async ValueTask<ImapResult> LogInAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        var result = await Auth.AuthenticateAsync(request, Security, cancellationToken);
        if (result.Outcome == AuthOutcome.Success)
        {
            var account = result.Account!;
            if (!_protocol.Sessions.TryEnter(account.Id, Security.RemoteAddress, Options.MaxSessionsPerUserAndAddress))
            {
                return ImapResult.No(string.Create(CultureInfo.InvariantCulture,
                    $"Too many sessions for this account from your address (at most {Options.MaxSessionsPerUserAndAddress}); close some first."), "LIMIT");
            }

            _countedSession = true;
            Account = account;
            State = ImapState.Authenticated;
            LateSasl = null;
            _changes = _protocol.Changes.Subscribe(account.Id);
            return ImapResult.Ok("Logged in.", $"CAPABILITY {Capabilities}");
        }

        ImapResult answer;
        switch (result.Outcome)
        {
            case AuthOutcome.PlaintextRefused:
                WriteExposedAlert();
                answer = ImapResult.No("Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", "PRIVACYREQUIRED");
                break;
            case AuthOutcome.NotAllowedOnThisNode:
                WriteExposedAlert();
                answer = ImapResult.No("This account may not log in without TLS on this server; use STARTTLS or port 993.", "PRIVACYREQUIRED");
                break;
            case AuthOutcome.Throttled:
                answer = ImapResult.No("Too many failed logins; try again later.", "UNAVAILABLE");
                break;
            case AuthOutcome.TemporaryFailure:
                answer = ImapResult.No("Temporary authentication failure; try again later.", "UNAVAILABLE");
                break;
            default:
                // Wrong password, unknown login and disabled account look the same.
                answer = ImapResult.No("Authentication failed.", "AUTHENTICATIONFAILED");
                break;
        }

        var close = result.Outcome != AuthOutcome.TemporaryFailure && ++_authFailures >= Options.MaxAuthFailures;
        return close ? answer with { Step = SessionStep.Close } : answer;
    }

    /// <summary>
    /// Selects (or examines) a mailbox: the view of its messages is taken now (RFC 9051 §6.3.2). With
    /// CONDSTORE or QRESYNC (RFC 7162 §3.1.8, §3.2.5) CONDSTORE is enabled first, so that the answer
    /// has HIGHESTMODSEQ; with QRESYNC and the mailbox's UIDVALIDITY, what changed since the client's
    /// MODSEQ follows, read from the same snapshot as the view.
    /// </summary>
    public async ValueTask<ImapResult> SelectAsync(string name, bool readOnly, SelectParameters parameters, CancellationToken cancellationToken)
    {
        if (Selected is not null)
        {
            // RFC 9051 §6.3.2: closing the previous mailbox is announced; the selection is gone even if this one fails.
            // IMAP4rev1 clients hear it too, as from Dovecot: they ignore codes they do not know (RFC 3501 §7.1),
            // and RFC 7162 §3.2.11 wants it whether or not a client enabled CONDSTORE.
            Selected = null;
            State = ImapState.Authenticated;
            WriteLine("* OK [CLOSED] Previous mailbox is now closed.");
        }

        if (parameters.CondStore || parameters.QResync is not null)
        {
            EnableCondStore();
        }

        var mailbox = await Store.FindMailboxAsync(Account!.Id, name, cancellationToken);
        if (mailbox is null)
        {
            return ImapResult.No("No such mailbox.", "NONEXISTENT");
        }

        if (!mailbox.Selectable)
        {
            return ImapResult.No("This name holds no messages, only other mailboxes.", "CANNOT");
        }

        if (_changes is not null)
        {
            await _protocol.Changes.WaitUntilListeningAsync(cancellationToken);
        }

        // A stale UIDVALIDITY means a plain SELECT (RFC 7162 §3.2.5): the client's cache is of another mailbox.
        var resync = parameters.QResync is { } q && q.UidValidity == mailbox.UidValidity ? q : null;
        if (await _protocol.Snapshots.ReadAsync(Account.Id, mailbox.Id, resync?.ModSeq, cancellationToken) is not var (columns, changes))
        {
            return ImapResult.No("No such mailbox.", "NONEXISTENT");
        }

        IReadOnlyList<long> recent = [];
        if (!Rev2 && !readOnly)
        {
            recent = await Store.ClaimRecentAsync(Account.Id, mailbox.Id, cancellationToken);
        }
        else if (!Rev2 && await Store.FirstRecentUidAsync(Account.Id, mailbox.Id, cancellationToken) is { } firstRecent)
        {
            // RFC 3501 §6.3.2: EXAMINE shows what is recent without taking it from the session that will select it.
            recent = [.. columns.Uids.Where(uid => uid >= firstRecent)];
        }

        var selected = new SelectedMailbox(mailbox, columns, recent, readOnly);
        SavedSearch = null;
        DrainChanges();
        Selected = selected;
        State = ImapState.Selected;

        WriteLine($"* FLAGS ({string.Join(' ', selected.Flags)})");
        WriteLine(string.Create(CultureInfo.InvariantCulture, $"* {selected.Exists} EXISTS"));
        if (!Rev2)
        {
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"* {selected.RecentCount} RECENT"));
        }

        if (readOnly)
        {
            WriteLine("* OK [PERMANENTFLAGS ()] Read-only mailbox.");
        }
        else
        {
            WriteLine($"* OK [PERMANENTFLAGS ({string.Join(' ', selected.Flags)} \\*)] Flags permitted.");
        }

        WriteLine(string.Create(CultureInfo.InvariantCulture, $"* OK [UIDVALIDITY {selected.UidValidity}] UIDs valid."));
        WriteLine(string.Create(CultureInfo.InvariantCulture, $"* OK [UIDNEXT {selected.UidNext}] Predicted next UID."));
        WriteLine($"* OK [MAILBOXID ({Storage.Mail.ObjectIds.MailboxId(Account!.Id, selected.MailboxId)})] Mailbox identifier (RFC 8474).");
        if (selected.FirstUnseen is { } unseen && !Rev2)
        {
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"* OK [UNSEEN {unseen}] First unseen."));
        }

        if (CondStore)
        {
            // RFC 7162 §3.1.2.1; never NOMODSEQ (§3.1.2.2): every mailbox here keeps MODSEQs.
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"* OK [HIGHESTMODSEQ {selected.HighestModSeq}] Highest mailbox mod-sequence."));
        }

        if (Rev2)
        {
            var writer = ResponseWriter();
            writer.WriteText($"* LIST ({string.Join(' ', MailboxAttributes.Of(mailbox, hasChildren: null))}) \"/\" ");
            writer.WriteMailbox(mailbox.Name);
            writer.WriteCrlf();
        }

        if (resync is not null && columns.UidValidity == resync.UidValidity && changes is not null)
        {
            QuickResync.Write(this, selected, resync, changes);
        }

        return readOnly ? ImapResult.Ok("Examine completed.", "READ-ONLY") : ImapResult.Ok("Select completed.", "READ-WRITE");
    }

    /// <summary>Leaves the Selected state (CLOSE, UNSELECT), without announcing anything more of the mailbox.</summary>
    public void Deselect()
    {
        Selected = null;
        SavedSearch = null;
        State = ImapState.Authenticated;
        DrainChanges();
    }

    /// <summary>
    /// Brings the selected mailbox's view up to date when the change feed announced something for it
    /// (or always, with <paramref name="force"/>), and writes what may be announced now: EXISTS and
    /// flag changes always, EXPUNGE unless <see cref="ExpungesHeld"/>.
    /// </summary>
    public async ValueTask AnnounceChangesAsync(CancellationToken cancellationToken, bool force = false)
    {
        if (Selected is not { } selected || Account is null)
        {
            return;
        }

        var heardAt = ChangesPendingFor(selected);
        if (force || heardAt is not null)
        {
            // Forced (after this session's own change, NOOP, IDLE's start): only a read begun from now on will do.
            var notBefore = force ? Stopwatch.GetTimestamp() : heardAt!.Value;
            var changes = await _protocol.ChangeReads.ChangesSinceAsync(Account.Id, selected.MailboxId, selected.HighestModSeq, notBefore,
                cancellationToken);
            if (changes is null)
            {
                // Another session deleted (or renamed away) the selected mailbox: nothing of it is left to announce.
                return;
            }

            var newUids = selected.Apply(changes);
            if (newUids.Count > 0 && !Rev2 && !selected.ReadOnly)
            {
                selected.MarkRecent(await Store.ClaimRecentAsync(Account.Id, selected.MailboxId, cancellationToken));
            }
        }

        selected.WriteAnnouncements(this, expungesAllowed: !ExpungesHeld);
    }

    /// <summary>
    /// What FETCH and STORE do first: by sequence number, expunges are held until the command is done;
    /// the UID forms may announce them (RFC 9051 §7.5.1), and announce the held ones first, so that a
    /// message another session expunged is neither answered with stale data nor written to.
    /// </summary>
    public async ValueTask HoldOrAnnounceExpungesAsync(bool byUid, CancellationToken cancellationToken)
    {
        ExpungesHeld = !byUid;
        if (byUid)
        {
            await AnnounceChangesAsync(cancellationToken);
        }
    }

    /// <summary>A task that completes when the change feed has something for this account (IMAP IDLE's wake-up).</summary>
    public Task ChangeArrivedAsync(CancellationToken cancellationToken) =>
        _changes is null ? Task.Delay(Timeout.Infinite, cancellationToken) : _changes.Changes.WaitToReadAsync(cancellationToken).AsTask();

    /// <summary>IDLE's wait (RFC 2177 §3): for the client's DONE (or another command), a change, a keep-alive, or shutdown.</summary>
    public ValueTask<WaitOutcome> WaitForIdleAsync(Task wakeUp, CancellationToken cancellationToken) =>
        WaitAsync(wakeUp, Options.IdleKeepAlive, cancellationToken);

    /// <summary>
    /// After an IDLE ended by input: true when that input is the line DONE, which is then consumed;
    /// false when the client sent a command instead (Apple Mail does), which is left to be read next.
    /// </summary>
    public async ValueTask<bool> TakeDoneAsync(CancellationToken cancellationToken)
    {
        var line = await PeekLineAsync(cancellationToken);
        if (line is not null && Ascii.EqualsIgnoreCase(line, "DONE"u8))
        {
            await ReadLineAsync(cancellationToken);
            return true;
        }

        return false;
    }

    /// <summary>Appends one untagged (or continuation) line and CRLF without flushing.</summary>
    public void WriteLine(string line)
    {
        Write(line);
        Write("\r\n"u8);
    }

    /// <summary>A writer of protocol data (strings, literals, envelopes) onto the output, in this session's string mode.</summary>
    public ImapResponseWriter ResponseWriter() => new(Output) { Utf8 = Utf8 };

    /// <summary>Flushes what was written when enough is buffered (large FETCH responses stream).</summary>
    public async ValueTask FlushIfLargeAsync(CancellationToken cancellationToken)
    {
        if (Output.UnflushedBytes >= 64 * 1024)
        {
            await FlushAsync(cancellationToken);
        }
    }

    public new ValueTask FlushAsync(CancellationToken cancellationToken) => base.FlushAsync(cancellationToken);

    /// <summary>Logs a database outage once per failure (stack once a minute) and gives the answer for it.</summary>
    public ImapResult Unavailable(Exception e, string operation)
    {
        _protocol.Outages.Report(Logger, e, $"{ConnectionId} {operation}");
        return ImapResult.No("The mail store is unavailable; try again later.", "UNAVAILABLE");
    }

    private async ValueTask<ImapResult> RunAsync(string tag, ImapReader reader, FramedCommand command, CancellationToken cancellationToken)
    {
        if (!reader.TrySpace() || !reader.TryReadAtom(out var name))
        {
            return ImapResult.Bad("Missing command.");
        }

        name = name.ToUpperInvariant();
        if (name == "UID")
        {
            if (!reader.TrySpace() || !reader.TryReadAtom(out var uidCommand))
            {
                return ImapResult.Bad("UID needs a command: FETCH, STORE, COPY, MOVE, SEARCH, SORT, THREAD or EXPUNGE.");
            }

            name = "UID " + uidCommand.ToUpperInvariant();
        }

        if (!CommandTable.Entries.TryGetValue(name, out var entry))
        {
            return ImapResult.Bad("Unknown command.");
        }

        if ((entry.AllowedIn & State) == 0)
        {
            return State switch
            {
                ImapState.NotAuthenticated => ImapResult.Bad($"{name} is only valid after logging in."),
                ImapState.Authenticated when entry.AllowedIn == ImapState.Selected => ImapResult.Bad($"{name} needs a selected mailbox; SELECT one first."),
                _ => ImapResult.Bad($"{name} is not valid after logging in."),
            };
        }

        var parsed = entry.Parse(reader, this);
        if (parsed.Command is not { } imapCommand)
        {
            return ImapResult.Bad(parsed.Error ?? "Invalid arguments.");
        }

        try
        {
            return await imapCommand.ExecuteAsync(this, tag, cancellationToken);
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e) && !ConnectionAborted.IsCancellationRequested)
        {
            return Unavailable(e, $"{name} failed");
        }
        catch (Exception e) when (e is not (OperationCanceledException or IOException) && !ConnectionAborted.IsCancellationRequested)
        {
            // A fault of ours in one command ends that command, not the session (RFC 5530 §3, SERVERBUG).
            LogCommandFailed(Logger, e, ConnectionId, name);
            return ImapResult.No("Internal error; the server's log has the details.", "SERVERBUG");
        }
    }

    /// <summary>
    /// Whether the change feed announced something for the selected mailbox that its view has not
    /// applied yet. A change at or below the view's HIGHESTMODSEQ and UIDNEXT is one the view already
    /// read (typically this session's own APPEND, EXPUNGE or MOVE, re-read when it ran), so it costs no
    /// second read of the store. A change of every mailbox (after the feed reconnected) always counts.
    /// Drains what it read; returns when the latest change that counts was heard of, or null.
    /// </summary>
    private long? ChangesPendingFor(SelectedMailbox selected)
    {
        long? heardAt = null;
        while (_changes is not null && _changes.Changes.TryRead(out var change))
        {
            if (change.MailboxId == 0
                || (change.MailboxId == selected.MailboxId
                    && (change.Kind != MailboxChangeKind.Messages || change.HighestModSeq > selected.HighestModSeq || change.UidNext > selected.UidNext)))
            {
                heardAt = Math.Max(heardAt ?? 0, change.ReceivedAt);
            }
        }

        return heardAt;
    }

    private void DrainChanges()
    {
        while (_changes is not null && _changes.Changes.TryRead(out _))
        {
        }
    }

    private static bool IsAppend(ReadOnlySpan<byte> firstLine)
    {
        // tag SP "APPEND" SP ...: the literal of an APPEND is its message (or, with MULTIAPPEND, one of them);
        // so is REPLACE's and UID REPLACE's (RFC 8508).
        var space = firstLine.IndexOf((byte)' ');
        if (space < 0)
        {
            return false;
        }

        var rest = firstLine[(space + 1)..];
        if (rest.Length > 4 && Ascii.EqualsIgnoreCase(rest[..4], "UID "u8))
        {
            rest = rest[4..];
            return rest.Length > 8 && Ascii.EqualsIgnoreCase(rest[..8], "REPLACE "u8);
        }

        return (rest.Length > 7 && Ascii.EqualsIgnoreCase(rest[..7], "APPEND "u8)) || (rest.Length > 8 && Ascii.EqualsIgnoreCase(rest[..8], "REPLACE "u8));
    }

    /// <summary>The tag at the start of a discarded command's first octets, when there is a valid one (RFC 9051 §9 <c>tag</c>).</summary>
    private static string? TagOf(ReadOnlySpan<byte> head)
    {
        var length = 0;
        while (length < head.Length && ImapChars.IsTagChar(head[length]))
        {
            length++;
        }

        return length > 0 && length < head.Length && head[length] == ' ' ? Encoding.ASCII.GetString(head[..length]) : null;
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan max) => value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;

    /// <summary>IMAP's SASL wire (RFC 9051 §6.2.2): <c>+ base64</c> continuation requests, one response per line.</summary>
    private sealed class ImapSaslWire(ImapSession session) : ISaslWire
    {
        public ValueTask SendChallengeAsync(string base64, CancellationToken cancellationToken) =>
            session.WriteLineAsync("+ " + base64, cancellationToken);

        public ValueTask<(LineStatus Status, byte[] Line)> ReadResponseAsync(CancellationToken cancellationToken) =>
            session.ReadLineAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId} {Command} failed")]
    private static partial void LogCommandFailed(ILogger logger, Exception exception, string connectionId, string command);

    /// <summary>REPLACE stored its message and then could not expunge the original (RFC 8508 §3): both are kept.</summary>
    public void LogOriginalKept(Exception exception, long uid) => LogReplaceKeptOriginal(Logger, exception, ConnectionId, uid);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId} REPLACE stored its message but could not expunge UID {Uid}; both are kept")]
    private static partial void LogReplaceKeptOriginal(ILogger logger, Exception exception, string connectionId, long uid);
}
