using System.Globalization;
using System.Security.Cryptography;
using Groupware.Auth;
using Groupware.Connections;
using Groupware.Connections.Framing;
using Groupware.Sasl.Syntax;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Groupware.Sasl;

/// <summary>
/// One connection of an authentication client (the MTA) speaking Dovecot's auth-client protocol 1.x: the
/// server's handshake (<c>VERSION</c>, one <c>MECH</c> per mechanism, <c>SPID</c>, <c>CUID</c>, <c>COOKIE</c>,
/// <c>DONE</c>) is sent at once; the client's lines are looked up in the <see cref="CommandTable"/>, checked
/// against the state and run. Requests are answered one after another, in the order they came: Postfix waits
/// for each answer before it sends the next request on the same connection.
/// </summary>
internal sealed partial class SaslSession(ConnectionContext connection, ListenerContext listener, AuthService auth, long connectionNumber, ILogger logger)
    : LineSession(connection, listener, listener.Limits, logger)
{
    /// <summary>The mechanisms the auth module knows; each is offered per request as the end user's connection allows.</summary>
    private static readonly string[] Mechanisms = ["PLAIN", "LOGIN"];

    private byte[]? _handedBack;

    public AuthService Auth { get; } = auth;

    public SaslState State { get; set; } = SaslState.Connected;

    /// <summary>The client's process id from <c>CPID</c>, for log lines.</summary>
    public long ClientProcessId { get; set; }

    /// <summary>Sends one line (LF-terminated, as the protocol has it) and flushes.</summary>
    public async ValueTask SendAsync(string line, CancellationToken cancellationToken)
    {
        Write(line);
        Write("\n"u8);
        await FlushAsync(cancellationToken);
    }

    /// <summary>Reads the next line inside a request (a <c>CONT</c>).</summary>
    public ValueTask<(LineStatus Status, byte[] Line)> ReadResponseLineAsync(CancellationToken cancellationToken) => ReadLineAsync(cancellationToken);

    /// <summary>Keeps a line read inside a request that turned out to be a command of its own; it runs next.</summary>
    public void HandBack(byte[] line) => _handedBack = line;

    protected override async ValueTask<SessionStep> GreetAsync(CancellationToken cancellationToken)
    {
        // The server does not wait for the client's VERSION: both halves of the handshake cross.
        Write($"VERSION\t{Commands.VersionCommand.MajorVersion}\t{Commands.VersionCommand.MinorVersion}\n");
        foreach (var mechanism in Mechanisms.Where(m => Auth.StartSasl(m) is not null))
        {
            // Both send the password itself: "plaintext" lets an MTA configured with noplaintext leave them out.
            Write($"MECH\t{mechanism}\tplaintext\n");
        }

        Write($"SPID\t{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}\n");
        Write($"CUID\t{connectionNumber.ToString(CultureInfo.InvariantCulture)}\n");
        // Only used by a master (login) process to fetch a user's details, which this server does not offer; sent
        // because clients expect the line.
        Write($"COOKIE\t{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}\n");
        Write("DONE\n"u8);
        await FlushAsync(cancellationToken);
        return SessionStep.Continue;
    }

    protected override async ValueTask<SessionStep> OnCommandAsync(FramedCommand command, CancellationToken cancellationToken)
    {
        var line = command.FirstLine.ToArray();
        // A line handed back by a request is run after it; each is a line read, so the loop ends.
        while (true)
        {
            var step = await RunLineAsync(line, cancellationToken);
            if (step == SessionStep.Close || _handedBack is not { } next)
            {
                _handedBack = null;
                return step;
            }

            _handedBack = null;
            line = next;
        }
    }

    /// <summary>Dovecot closes a client whose line is over its limit; so does this server.</summary>
    protected override ValueTask<SessionStep> OnFramingErrorAsync(FramedCommand command, CancellationToken cancellationToken)
    {
        LogProtocolError(Logger, ConnectionId, Security, "a line over the length limit");
        return ValueTask.FromResult(SessionStep.Close);
    }

    private async ValueTask<SessionStep> RunLineAsync(byte[] line, CancellationToken cancellationToken)
    {
        var parsed = ClientLine.Parse(line);
        SaslResponse response;
        if (!CommandTable.Entries.TryGetValue(parsed.Verb, out var entry))
        {
            LogProtocolError(Logger, ConnectionId, Security, $"an unknown command \"{Printable(parsed.Verb)}\"");
            return SessionStep.Close;
        }

        if ((entry.AllowedIn & State) == 0)
        {
            LogProtocolError(Logger, ConnectionId, Security, $"{entry.Verb} before the handshake was complete");
            return SessionStep.Close;
        }

        var result = entry.Parse(parsed.Fields);
        response = result.Command is { } saslCommand ? await saslCommand.ExecuteAsync(this, cancellationToken) : result.Refusal!;
        if (ReferenceEquals(response, SaslResponse.Disconnect))
        {
            LogProtocolError(Logger, ConnectionId, Security, $"a malformed {entry.Verb}");
        }

        foreach (var reply in response.Lines)
        {
            Write(reply);
            Write("\n"u8);
        }

        if (response.Lines.Count > 0)
        {
            await FlushAsync(cancellationToken);
        }

        return response.Step;
    }

    private static string Printable(string text) =>
        new([.. text.Take(32).Select(c => char.IsControl(c) ? '?' : c)]);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId} ({Security}) closed: the authentication client sent {What}")]
    private static partial void LogProtocolError(ILogger logger, string connectionId, ConnectionSecurity security, string what);
}
