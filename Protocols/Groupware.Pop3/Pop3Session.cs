using System.Buffers;
using System.Globalization;
using Groupware.Auth;
using Groupware.Connections;
using Groupware.Storage.Accounts;
using Groupware.Storage.Mail;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Groupware.Pop3;

/// <summary>The POP3 session states of RFC 1939 §3 (UPDATE is the moment QUIT commits, not a state one waits in).</summary>
internal enum Pop3State
{
    Authorization,
    Transaction,
}

/// <summary>
/// One POP3 connection: greets, reads command lines, looks each keyword up in
/// <see cref="Pop3Commands"/> and runs it. Holds the session's state: the USER name given, the
/// logged-in account, its maildrop snapshot and the maildrop's lease.
/// </summary>
internal sealed partial class Pop3Session(Pop3Protocol protocol, ConnectionContext connection, ListenerContext listener, ILogger logger)
    : LineSession(connection, listener, listener.Limits, logger)
{
    /// <summary>
    /// Octets of a RETR/TOP response buffered before a flush: each flush is a TLS record and a
    /// system call, so a small message goes out in one; a large one streams in 64 KiB steps.
    /// </summary>
    private const int FlushThreshold = 64 * 1024;

    /// <summary>Messages read ahead at most per query (<see cref="OpenAsync"/>).</summary>
    private const int ReadAheadMessages = 16;

    /// <summary>Largest message read ahead; larger ones stream chunk by chunk.</summary>
    private const int ReadAheadMessageSize = 64 * 1024;

    /// <summary>Octets a session holds read ahead at most, so that thousands of sessions stay cheap.</summary>
    private const int ReadAheadBytes = 256 * 1024;

    /// <summary>Whole small messages fetched ahead of their RETR, by UID.</summary>
    private readonly Dictionary<long, byte[]> _readAhead = [];

    private readonly long _loginDeadline = Environment.TickCount64 + (long)protocol.Options.LoginTimeout.TotalMilliseconds;
    private int _authFailures;
    private MaildropLease? _maildropLease;

    public Pop3State State { get; private set; } = Pop3State.Authorization;

    /// <summary>The name given by USER, kept until PASS (and forgotten at STLS).</summary>
    public string? PendingUser { get; set; }

    public Account? Account { get; private set; }

    public Maildrop Maildrop { get; private set; } = new([]);

    public AuthService Auth => protocol.Auth;

    public MailStore Store => protocol.Store;

    /// <summary>Whether STLS is offered now: a certificate, no TLS yet, still AUTHORIZATION (RFC 2595 §4).</summary>
    public bool CanStartTls => !Security.IsTls && Listener.Certificates is not null && State == Pop3State.Authorization;

    protected override async ValueTask<SessionStep> GreetAsync(CancellationToken cancellationToken)
    {
        // A neutral greeting: clients switch to quirk modes when they recognise a server (DESIGN.md).
        await ReplyAsync("+OK POP3 server ready.", cancellationToken);
        return SessionStep.Continue;
    }

    protected override async ValueTask<SessionStep> OnLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        if (!Pop3Command.TryParse(line.Span, out var command) && !Pop3Command.TryParseUndecodablePass(line.Span, out command))
        {
            await ReplyAsync("-ERR Unknown command.", cancellationToken);
            return SessionStep.Continue;
        }

        if (!Pop3Commands.Table.TryGetValue(command.Keyword, out var entry))
        {
            await ReplyAsync($"-ERR Unknown command: {command.Keyword}", cancellationToken);
            return SessionStep.Continue;
        }

        if (!entry.States.Contains(State))
        {
            await ReplyAsync(State == Pop3State.Authorization
                ? $"-ERR {command.Keyword} is only valid after logging in."
                : $"-ERR {command.Keyword} is not valid after logging in.", cancellationToken);
            return SessionStep.Continue;
        }

        return await entry.Command.ExecuteAsync(this, command, cancellationToken);
    }

    protected override async ValueTask<SessionStep> OnLineTooLongAsync(CancellationToken cancellationToken)
    {
        await ReplyAsync("-ERR Input line too long.", cancellationToken);
        return SessionStep.Continue;
    }

    /// <summary>Before login, the idle timeout shrinks to what is left of <see cref="Pop3Options.LoginTimeout"/>.</summary>
    protected override TimeSpan ReadTimeout => State == Pop3State.Authorization
        ? TimeSpan.FromMilliseconds(Math.Clamp(_loginDeadline - Environment.TickCount64, 0, (long)Limits.IdleTimeout.TotalMilliseconds))
        : Limits.IdleTimeout;

    // RFC 1939 §3: when the autologout timer expires the server closes the connection without a
    // response and without entering UPDATE: nothing marked for deletion is removed. A client that
    // never logged in is told why.
    protected override ValueTask OnIdleTimeoutAsync(CancellationToken cancellationToken) =>
        State == Pop3State.Authorization && Environment.TickCount64 >= _loginDeadline
            ? ReplyAsync($"-ERR [SYS/TEMP] No login within {protocol.Options.LoginTimeout.TotalSeconds:0} seconds; disconnecting.", cancellationToken)
            : ValueTask.CompletedTask;

    protected override ValueTask OnShutdownAsync(CancellationToken cancellationToken) =>
        ReplyAsync("-ERR [SYS/TEMP] Server shutting down.", cancellationToken);

    protected override async ValueTask OnClosedAsync()
    {
        if (_maildropLease is not null)
        {
            await _maildropLease.DisposeAsync();
            _maildropLease = null;
        }
    }

    // RFC 2595 §4 / DESIGN.md: nothing learnt before the handshake survives it.
    protected override void OnTlsStarted() => PendingUser = null;

    /// <summary>
    /// The answer to USER or AUTH where no password would be accepted now (a secure node before TLS):
    /// given before any password is sent (RFC 2595 §4, RFC 3206 [AUTH]).
    /// </summary>
    public ValueTask RefuseBeforeTlsAsync(CancellationToken cancellationToken) =>
        ReplyAsync("-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections; use STLS first.", cancellationToken);

    /// <summary>Writes one response line and flushes.</summary>
    public ValueTask ReplyAsync(string line, CancellationToken cancellationToken) => WriteLineAsync(line, cancellationToken);

    /// <summary>Appends one line of a multi-line response without flushing.</summary>
    public void AppendLine(string line)
    {
        Write(line);
        Write("\r\n"u8);
    }

    public ValueTask FlushResponseAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    /// <summary>Reads one SASL continuation line (RFC 5034 §4).</summary>
    public ValueTask<(LineStatus Status, ReadOnlyMemory<byte> Line)> ReadContinuationAsync(CancellationToken cancellationToken) =>
        ReadLineAsync(cancellationToken);

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
    public async ValueTask<SessionStep> LogInAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        var result = await Auth.AuthenticateAsync(request, Security, cancellationToken);
        switch (result.Outcome)
        {
            case AuthOutcome.Success:
                return await EnterTransactionAsync(result.Account!, cancellationToken);
            case AuthOutcome.PlaintextRefused:
                await ReplyAsync("-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections. " +
                    "Your password was sent without encryption and may have been exposed; change it.", cancellationToken);
                break;
            case AuthOutcome.NotAllowedOnThisNode:
                await ReplyAsync("-ERR [AUTH] This account may not log in without TLS on this server; use STLS or port 995.", cancellationToken);
                break;
            case AuthOutcome.Throttled:
                await ReplyAsync("-ERR [SYS/TEMP] Too many failed logins; try again later.", cancellationToken);
                break;
            case AuthOutcome.TemporaryFailure:
                await ReplyAsync("-ERR [SYS/TEMP] Temporary authentication failure; try again later.", cancellationToken);
                break;
            default:
                // Wrong password, unknown login and disabled account look the same (issue #3).
                await ReplyAsync("-ERR [AUTH] Authentication failed.", cancellationToken);
                break;
        }

        // A temporary failure is the server's, not the client's; every other outcome counts.
        return result.Outcome != AuthOutcome.TemporaryFailure && ++_authFailures >= protocol.Options.MaxAuthFailures
            ? SessionStep.Close
            : SessionStep.Continue;
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
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogUpdateFailed(Logger, e, ConnectionId, Account!.Login);
            return false;
        }
    }

    /// <summary>
    /// Sends message <paramref name="number"/> as a multi-line response (RETR, or TOP with
    /// <paramref name="bodyLines"/>), streamed from the store and dot-stuffed on the way (RFC 1939 §3).
    /// </summary>
    public async ValueTask SendMessageAsync(string firstLine, int number, MaildropMessage message, int? bodyLines,
        CancellationToken cancellationToken)
    {
        Stream opened;
        try
        {
            opened = await OpenAsync(number, message, cancellationToken);
        }
        catch (MessageNotFoundException)
        {
            // The snapshot keeps the numbering (RFC 1939 §5), not the messages: another client removed
            // this one. Nothing of the response is written yet, so the answer can still be -ERR.
            await ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"-ERR Message {number} is no longer in the mailbox."), cancellationToken);
            return;
        }

        await using var content = opened;
        AppendLine(firstLine);
        var stuffer = new DotStuffer(bodyLines);
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

    /// <summary>
    /// The message's content: from the read-ahead when an earlier RETR fetched it, else from the
    /// store. A small message pulls the small ones after it into the read-ahead in the same query,
    /// since clients (fetchmail, printers, "download all") fetch a maildrop in order: one database
    /// round trip serves several RETRs instead of one each.
    /// </summary>
    private async ValueTask<Stream> OpenAsync(int number, MaildropMessage message, CancellationToken cancellationToken)
    {
        if (_readAhead.Remove(message.Uid, out var held))
        {
            return new MemoryStream(held, writable: false);
        }

        if (message.Size <= ReadAheadMessageSize)
        {
            var batch = new List<long>();
            long bytes = 0;
            foreach (var (_, next) in Maildrop.LiveFrom(number))
            {
                if (batch.Count == ReadAheadMessages || next.Size > ReadAheadMessageSize || next.MailboxId != message.MailboxId
                    || bytes + next.Size > ReadAheadBytes)
                {
                    break;
                }

                batch.Add(next.Uid);
                bytes += next.Size;
            }

            if (batch.Count > 1)
            {
                _readAhead.Clear();
                foreach (var (uid, content) in await Store.ReadSmallMessagesAsync(Account!.Id, message.MailboxId, batch, cancellationToken))
                {
                    _readAhead[uid] = content;
                }

                if (_readAhead.Remove(message.Uid, out held))
                {
                    return new MemoryStream(held, writable: false);
                }
            }
        }

        return await Store.OpenMessageAsync(Account!.Id, message.MailboxId, message.Uid, cancellationToken);
    }

    private async ValueTask<SessionStep> EnterTransactionAsync(Account account, CancellationToken cancellationToken)
    {
        try
        {
            var held = await protocol.Leases.TryAcquireAsync(account.Id, cancellationToken);
            if (held is null)
            {
                await ReplyAsync("-ERR [IN-USE] Mailbox is locked by another POP3 session.", cancellationToken);
                return SessionStep.Continue;
            }

            _maildropLease = held;
            Maildrop = new Maildrop(await Store.ListMaildropAsync(account.Id, cancellationToken));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogMaildropFailed(Logger, e, ConnectionId, account.Login);
            await OnClosedAsync();
            await ReplyAsync("-ERR [SYS/TEMP] The mailbox cannot be opened now; try again later.", cancellationToken);
            return SessionStep.Continue;
        }

        Account = account;
        PendingUser = null;
        State = Pop3State.Transaction;
        await ReplyAsync("+OK Logged in.", cancellationToken);
        return SessionStep.Continue;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId} could not open the maildrop of {Login}")]
    private static partial void LogMaildropFailed(ILogger logger, Exception exception, string connectionId, string login);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId} could not remove the deleted messages of {Login}; they stay")]
    private static partial void LogUpdateFailed(ILogger logger, Exception exception, string connectionId, string login);
}
