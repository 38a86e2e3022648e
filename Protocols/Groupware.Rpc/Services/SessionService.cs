using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Groupware.Auth;
using Groupware.Connections;
using Groupware.Rpc.V1;
using Groupware.Storage.Accounts;
using Groupware.Storage.Rpc;

namespace Groupware.Rpc.Services;

/// <summary>
/// Session.Logon and Logoff (Kopano's logon/logoff). The password goes to the one auth module with
/// the request's security (<see cref="ListenerContext.SecurityOf(Microsoft.AspNetCore.Http.HttpContext)"/>),
/// which refuses it without TLS on a secure node before checking it (DESIGN.md, the security
/// invariant), throttles and audits; the session is a row of <see cref="RpcSessionStore"/>.
/// </summary>
internal sealed class SessionService(AuthService auth, RpcSessionStore sessions, NodePolicy node, RpcOptions options)
    : V1.Session.SessionBase
{
    public override async Task<LogonReply> Logon(LogonRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var security = HttpFrontEnd.ListenerOf(http).SecurityOf(http);
        var result = await auth.AuthenticateAsync(new AuthRequest(request.Login, request.Password, "RPC"), security, context.CancellationToken);
        if (!result.Succeeded)
        {
            throw result.Outcome switch
            {
                AuthOutcome.PlaintextRefused or AuthOutcome.NotAllowedOnThisNode => RpcErrors.Refusal(StatusCode.PermissionDenied, "plaintext-refused",
                    "a password is accepted here only over TLS; this one crossed the network in clear text and must now be treated as exposed: change it, and connect with TLS"),
                AuthOutcome.Throttled => RpcErrors.Refusal(StatusCode.ResourceExhausted, "throttled", "too many failed logins from your network; try later"),
                AuthOutcome.TemporaryFailure => RpcErrors.Refusal(StatusCode.Unavailable, "store-unavailable", "the account store is unavailable; try again"),
                _ => RpcErrors.Refusal(StatusCode.Unauthenticated, "invalid-credentials", "wrong login or password"),
            };
        }

        var account = result.Account!;
        var (token, expires) = await sessions.CreateAsync(account.Id, request.ClientName, request.ClientVersion, node.NodeName,
            (security.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString(), options.SessionLifetime, context.CancellationToken);
        return new LogonReply
        {
            SessionToken = token,
            ExpiresAt = Timestamp.FromDateTimeOffset(expires),
            Account = Entry(account),
        };
    }

    public override async Task<LogoffReply> Logoff(LogoffRequest request, ServerCallContext context)
    {
        await sessions.DeleteAsync(RpcCaller.Of(context).Token, context.CancellationToken);
        return new LogoffReply();
    }

    internal static DirectoryEntry Entry(Account account)
    {
        var entry = new DirectoryEntry { Login = account.Login, DisplayName = account.DisplayName, PrimaryAddress = account.PrimaryAddress };
        entry.Aliases.AddRange(account.Aliases);
        return entry;
    }
}
