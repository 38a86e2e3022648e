using System.Buffers;
using System.Globalization;
using Groupware.Auth;
using Groupware.Auth.Sasl;
using Groupware.Connections;
using Groupware.Connections.Framing;
using Groupware.Pop3.Syntax;
using Groupware.Storage;
using Groupware.Storage.Accounts;
using Groupware.Storage.Mail;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Groupware.Pop3;

/// <summary>
/// One POP3 connection: the session state (the USER name given, the logged-in account, its maildrop
/// snapshot and the maildrop's lease) and the I/O loop. Each command line is parsed (<see cref="Pop3CommandParser"/>),
/// checked against the states of the <see cref="CommandTable"/>, run, and its response sent.
/// </summary>
internal sealed partial class Pop3Session(Pop3Protocol protocol, ConnectionContext connection, ListenerContext listener, ILogger logger)
    : LineSession(connection, listener, listener.Limits, logger)
{
    /// <summary>The answer to USER or AUTH where no password would be accepted now (a secure node before TLS): RFC 2595 §4, RFC 3206 [AUTH].</summary>
    public const string RefusedBeforeTls = "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections; use STLS first.";

    /// <summary>
    /// Octets of a RETR/TOP response buffered before a flush: each flush is a TLS record and a
    /// system call, so a small message goes out in one; a large one streams in 64 KiB steps.
    /// </summary>
    private const int FlushThreshold = 64 * 1024;

    private readonly long _connectedAt = listener.Time.GetTimestamp();
    private MessageReadAhead? _readAhead;
    private int _authFailures;
    private MaildropLease? _maildropLease;

    public Pop3State State { get; private set; } = Pop3State.Authorization;

    /// <summary>The name given by USER, kept until PASS (and forgotten at STLS).</summary>
    public string? PendingUser { get; set; }

    /// <summary>A SASL exchange refused before TLS, whose response a client may still send on the next line.</summary>
    public LateSaslResponses? LateSasl { get; set; }

    public Account? Account { get; private set; }

    public Maildrop Maildrop { get; private set; } = new([]);

    public AuthService Auth => protocol.Auth;

    public MailStore Store => protocol.Store;

    /// <summary>How AUTH's challenges and responses travel on POP3 (RFC 5034 §4).</summary>
    public ISaslWire SaslWire => new Pop3SaslWire(this);

    /// <summary>Whether STLS is offered now: a certificate, no TLS yet, still AUTHORIZATION (RFC 2595 §4).</summary>
    public bool CanStartTls => !Security.IsTls && Listener.Certificates is not null && State == Pop3State.Authorization;

    protected override async ValueTask<SessionStep> GreetAsync(CancellationToken cancellationToken)
    {
        // A neutral greeting: clients switch to quirk modes when they recognise a server (DESIGN.md).
        await WriteLineAsync("+OK POP3 server ready.", cancellationToken);
        return SessionStep.Continue;
    }

    protected override async ValueTask<SessionStep> OnCommandAsync(FramedCommand command, CancellationToken cancellationToken)
    {
        var line = command.FirstLine;
        var late = LateSasl;
        LateSasl = null;
        var parsed = Pop3CommandParser.Parse(line);
        Pop3Response response;
        if (parsed.Entry is null && late is not null && late.TryTake(line, out var credentials))
        {
            // A SASL response sent after the refusal: a password in clear if the mechanism now has one.
            LateSasl = credentials is null ? late : null;
            response = credentials is null ? RefusedBeforeTls : await LogInAsync(credentials, cancellationToken);
        }
        else if (parsed.Entry is { } entry && (entry.AllowedIn & State) == 0)
        {
            response = State == Pop3State.Authorization
                ? $"-ERR {entry.Keyword} is only valid after logging in."
                : $"-ERR {entry.Keyword} is not valid after logging in.";
        }
        else if (parsed.Outcome.Command is { } parsedCommand)
        {
            response = State == Pop3State.Transaction && MaildropLost() is { } lost ? lost : await parsedCommand.ExecuteAsync(this, cancellationToken);
        }
        else
        {
            response = parsed.Outcome.Error!;
        }

        return await SendAsync(response, cancellationToken);
    }

    protected override async ValueTask<SessionStep> OnFramingErrorAsync(FramedCommand command, CancellationToken cancellationToken)
    {
        await WriteLineAsync("-ERR Input line too long.", cancellationToken);
        return SessionStep.Continue;
    }

    /// <summary>Before login, the idle timeout shrinks to what is left of <see cref="Pop3Options.LoginTimeout"/>.</summary>
    protected override TimeSpan ReadTimeout => State == Pop3State.Authorization
        ? Clamp(protocol.Options.LoginTimeout - Time.GetElapsedTime(_connectedAt), Limits.IdleTimeout)
        : Limits.IdleTimeout;

    // RFC 1939 §3: when the autologout timer expires the server closes the connection without a
    // response and without entering UPDATE: nothing marked for deletion is removed. A client that
    // never logged in is told why.
    protected override ValueTask OnIdleTimeoutAsync(CancellationToken cancellationToken) =>
        State == Pop3State.Authorization && Time.GetElapsedTime(_connectedAt) >= protocol.Options.LoginTimeout
            ? WriteLineAsync($"-ERR [SYS/TEMP] No login within {protocol.Options.LoginTimeout.TotalSeconds:0} seconds; disconnecting.", cancellationToken)
            : ValueTask.CompletedTask;

    protected override ValueTask OnTooSlowAsync(CancellationToken cancellationToken) =>
        WriteLineAsync("-ERR [SYS/TEMP] Command sent too slowly; disconnecting.", cancellationToken);

    protected override ValueTask OnShutdownAsync(CancellationToken cancellationToken) =>
        WriteLineAsync("-ERR [SYS/TEMP] Server shutting down.", cancellationToken);

    protected override ValueTask OnClosedAsync() => ReleaseMaildropAsync();

    // RFC 2595 §4 / DESIGN.md: nothing learnt before the handshake survives it.
    protected override void OnTlsStarted()
    {
        PendingUser = null;
        LateSasl = null;
    }

    /// <summary>STLS: answers and upgrades; the session ends if the upgrade does not complete.</summary>
    public async ValueTask<SessionStep> UpgradeAsync(CancellationToken cancellationToken) =>
        await StartTlsAsync("+OK Begin TLS negotiation.\r\n"u8.ToArray(), cancellationToken) == StartTlsOutcome.Started
            ? SessionStep.Continue
            : SessionStep.Close;

    /// <summary>
    /// Hands a credential that arrived (USER/PASS or SASL) to the auth module, which alone decides,
    /// and answers with the RFC 3206 response code that fits the outcome. On success the maildrop
    /// is locked (RFC 1939 §4: exclusive access) and its snapshot taken.
    /// </summary>
    public async ValueTask<Pop3Response> LogInAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        var result = await Auth.AuthenticateAsync(request, Security, cancellationToken);
        if (result.Outcome == AuthOutcome.Success)
        {
            return await EnterTransactionAsync(result.Account!, cancellationToken);
        }

        var answer = result.Outcome switch
        {
            AuthOutcome.PlaintextRefused => "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections. " +
                "Your password was sent without encryption and may have been exposed; change it.",
            AuthOutcome.NotAllowedOnThisNode => "-ERR [AUTH] This account may not log in without TLS on this server; use STLS or port 995.",
            AuthOutcome.Throttled => "-ERR [SYS/TEMP] Too many failed logins; try again later.",
            AuthOutcome.TemporaryFailure => "-ERR [SYS/TEMP] Temporary authentication failure; try again later.",
            // Wrong password, unknown login and disabled account look the same (issue #3).
            _ => "-ERR [AUTH] Authentication failed.",
        };

        // A temporary failure is the server's, not the client's; every other outcome counts.
        var close = result.Outcome != AuthOutcome.TemporaryFailure && ++_authFailures >= protocol.Options.MaxAuthFailures;
        return new Pop3Response(answer, Step: close ? SessionStep.Close : SessionStep.Continue);
    }

    /// <summary>The UPDATE state (RFC 1939 §6): removes the marked messages in one transaction.</summary>
    public async ValueTask<bool> CommitDeletionsAsync(CancellationToken cancellationToken)
    {
        var deleted = Maildrop.Deleted.ToList();
        if (deleted.Count == 0)
        {
            return true;
        }

        try
        {
            foreach (var mailbox in deleted.GroupBy(m => m.MailboxId))
            {
                await Store.ExpungeAsync(Account!.Id, mailbox.Key, mailbox.Select(m => m.Uid).ToList(), cancellationToken);
            }

            return true;
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            protocol.Outages.Report(Logger, e, $"{ConnectionId} removing the deleted messages of {Account!.Login} (they stay)");
            return false;
        }
    }

    /// <summary>Releases the maildrop (at QUIT before the answer, and when the session ends however it ends).</summary>
    public async ValueTask ReleaseMaildropAsync()
    {
        if (_maildropLease is { } held)
        {
            _maildropLease = null;
            await held.DisposeAsync();
        }
    }

    /// <summary>
    /// Null while the session still holds its maildrop's lease; otherwise the answer that ends the session
    /// instead of going on (RFC 1939 §4 exclusive access): another session took the maildrop over, or the
    /// lease could not be renewed in time (the database was unreachable), so another may have.
    /// </summary>
    private Pop3Response? MaildropLost() => _maildropLease switch
    {
        { Loss: LeaseLoss.TakenOver } => new Pop3Response("-ERR [IN-USE] Another POP3 session took over the mailbox; disconnecting.",
            Step: SessionStep.Close),
        { Loss: not null } or null => new Pop3Response("-ERR [SYS/TEMP] The mailbox lock could not be kept; log in again later.",
            Step: SessionStep.Close),
        _ => null,
    };

    private async ValueTask<SessionStep> SendAsync(Pop3Response response, CancellationToken cancellationToken)
    {
        if (response.IsEmpty)
        {
            return response.Step;
        }

        if (response.Message is { } transfer)
        {
            await SendMessageAsync(response.StatusLine, transfer, cancellationToken);
            return response.Step;
        }

        AppendLine(response.StatusLine);
        if (response.Lines is { } lines)
        {
            foreach (var line in lines)
            {
                AppendLine(line);
            }

            AppendLine(".");
        }

        await FlushAsync(cancellationToken);
        return response.Step;
    }

    private void AppendLine(string line)
    {
        Write(line);
        Write("\r\n"u8);
    }

    /// <summary>
    /// Sends a message as a multi-line response (RETR, or TOP with its body lines), streamed from the
    /// store and dot-stuffed on the way (RFC 1939 §3).
    /// </summary>
    private async ValueTask SendMessageAsync(string firstLine, MessageTransfer transfer, CancellationToken cancellationToken)
    {
        Stream opened;
        try
        {
            opened = await (_readAhead ??= new MessageReadAhead(Store, Account!.Id)).OpenAsync(Maildrop, transfer.Number, transfer.Message,
                cancellationToken);
        }
        catch (MessageNotFoundException)
        {
            // The snapshot keeps the numbering (RFC 1939 §5), not the messages: another client removed
            // this one. Nothing of the response is written yet, so the answer can still be -ERR.
            await WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"-ERR Message {transfer.Number} is no longer in the mailbox."),
                cancellationToken);
            return;
        }

        await using var content = opened;
        AppendLine(firstLine);
        var stuffer = new DotStuffer(transfer.BodyLines);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (!stuffer.IsComplete)
            {
                var read = await content.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                stuffer.Encode(buffer.AsSpan(0, read), Output);
                if (Output.UnflushedBytes >= FlushThreshold)
                {
                    await FlushAsync(cancellationToken);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        stuffer.Finish(Output);
        await FlushAsync(cancellationToken);
    }

    private async ValueTask<Pop3Response> EnterTransactionAsync(Account account, CancellationToken cancellationToken)
    {
        try
        {
            var held = await protocol.Leases.TryAcquireAsync(account.Id, cancellationToken);
            if (held is null)
            {
                return "-ERR [IN-USE] Mailbox is locked by another POP3 session.";
            }

            _maildropLease = held;
            Maildrop = new Maildrop(await Store.ListMaildropAsync(account.Id, cancellationToken));
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            protocol.Outages.Report(Logger, e, $"{ConnectionId} opening the maildrop of {account.Login}");
            await ReleaseMaildropAsync();
            return "-ERR [SYS/TEMP] The mailbox cannot be opened now; try again later.";
        }

        Account = account;
        PendingUser = null;
        State = Pop3State.Transaction;
        return "+OK Logged in.";
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan max) => value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;

    /// <summary>POP3's SASL wire (RFC 5034 §4): <c>+ base64</c> challenges, one response per line.</summary>
    private sealed class Pop3SaslWire(Pop3Session session) : ISaslWire
    {
        public ValueTask SendChallengeAsync(string base64, CancellationToken cancellationToken) =>
            session.WriteLineAsync("+ " + base64, cancellationToken);

        public ValueTask<(LineStatus Status, byte[] Line)> ReadResponseAsync(CancellationToken cancellationToken) =>
            session.ReadLineAsync(cancellationToken);
    }
}
