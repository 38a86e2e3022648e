using Grpc.Core;
using Grpc.Core.Interceptors;
using Groupware.Storage;
using Groupware.Storage.Rpc;
using Microsoft.Extensions.Logging;

namespace Groupware.Rpc;

/// <summary>The session a call runs in: the account and the token that named it.</summary>
internal sealed record RpcCaller(long AccountId, string Token)
{
    private const string Key = "groupware.rpc.caller";

    public static RpcCaller Of(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var caller) ? (RpcCaller)caller : throw new InvalidOperationException("the call has no session");

    internal void Attach(ServerCallContext context) => context.UserState[Key] = this;
}

/// <summary>
/// Every call but Session.Logon must carry <c>authorization: Bearer &lt;token&gt;</c> (RFC 6750 §2.1)
/// naming a session that still counts (<see cref="RpcSessionStore"/>); otherwise UNAUTHENTICATED with
/// reason <c>session-ended</c>. Also the one place where a database outage becomes UNAVAILABLE.
/// </summary>
internal sealed partial class RpcSessionInterceptor(RpcSessionStore sessions, ILogger<RpcSessionInterceptor> logger) : Interceptor
{
    private const string LogonMethod = "/groupware.rpc.v1.Session/Logon";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Unavailable(e, context))
        {
            throw StoreUnavailable(context, e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Unavailable(e, context))
        {
            throw StoreUnavailable(context, e);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (Unavailable(e, context))
        {
            throw StoreUnavailable(context, e);
        }
    }

    private async Task AuthenticateAsync(ServerCallContext context)
    {
        if (context.Method == LogonMethod)
        {
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization") ?? "";
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw RpcErrors.Refusal(StatusCode.Unauthenticated, "no-session", "log on first (Session.Logon) and send 'authorization: Bearer <session_token>'");
        }

        var token = header[scheme.Length..].Trim();
        RpcSession? session;
        try
        {
            session = await sessions.FindAsync(token, context.CancellationToken);
        }
        catch (Exception e) when (Unavailable(e, context))
        {
            throw StoreUnavailable(context, e);
        }

        if (session is null)
        {
            throw RpcErrors.Refusal(StatusCode.Unauthenticated, "session-ended",
                "the session has ended (logged off, expired, or the password changed); log on again");
        }

        new RpcCaller(session.AccountId, token).Attach(context);
    }

    private static bool Unavailable(Exception e, ServerCallContext context) =>
        e is not RpcException && DatabaseFailure.IsUnavailable(e) && !context.CancellationToken.IsCancellationRequested;

    private RpcException StoreUnavailable(ServerCallContext context, Exception e)
    {
        LogUnavailable(logger, context.Method, e.Message);
        return RpcErrors.Refusal(StatusCode.Unavailable, "store-unavailable", "the store is unavailable; try again");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RPC {Method}: the store is unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string reason);
}
