using Google.Protobuf;
using Grpc.Core;
using Groupware.Rpc.V1;

namespace Groupware.Rpc;

/// <summary>
/// Refusals as gRPC statuses with the contract's machine-readable <see cref="ErrorDetail"/> in the
/// <c>groupware-error-bin</c> trailer (binary metadata, gRPC over HTTP/2 §"Custom-Metadata": a
/// <c>-bin</c> key carries base64-encoded octets). Services throw what these return; the framework
/// turns it into the status and trailers and nothing else of the call is sent.
/// </summary>
internal static class RpcErrors
{
    public const string DetailTrailer = "groupware-error-bin";

    public static RpcException Refusal(StatusCode code, string reason, string message, string field = "") =>
        Build(code, new ErrorDetail { Reason = reason, Field = field }, message);

    /// <summary>A request beyond a limit: the detail names the option that sets it and its value.</summary>
    public static RpcException OverLimit(string reason, string option, long limit, string field, string message) =>
        Build(StatusCode.InvalidArgument, new ErrorDetail { Reason = reason, Option = option, Limit = limit, Field = field },
            $"{message} (the limit is {limit}, option {option})");

    public static RpcException BadRequest(string reason, string field, string message) => Refusal(StatusCode.InvalidArgument, reason, message, field);

    public static RpcException NoSuchFolder(string field = "folder_id") =>
        Refusal(StatusCode.NotFound, "no-such-folder", "no such folder (it may have been deleted)", field);

    public static RpcException NoSuchItem(string field = "item_id") =>
        Refusal(StatusCode.NotFound, "no-such-item", "no such item (it may have been deleted or moved)", field);

    private static RpcException Build(StatusCode code, ErrorDetail detail, string message) =>
        new(new Status(code, message), new Metadata { { DetailTrailer, detail.ToByteArray() } }, message);
}
