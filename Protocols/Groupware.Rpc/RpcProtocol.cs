using System.Net.Security;
using Groupware.Connections;
using Groupware.Rpc.Services;
using Groupware.Storage.Accounts;
using Groupware.Storage.Calendar;
using Groupware.Storage.Rpc;
using Groupware.Storage.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Groupware.Rpc;

/// <summary>
/// The MAPI-like RPC (groupware.rpc.v1, Protos/groupware_rpc.proto) on the <c>rpc</c> listeners:
/// gRPC over HTTP/2 (ALPN h2, RFC 9113 §3.2), gRPC-Web for browsers over HTTP/1.1 or HTTP/2, and
/// server reflection so that generic tools can list the services. Its pipeline is its own
/// (<see cref="HttpFrontEnd.BuildPipeline"/>): the gRPC endpoints answer only on rpc listeners.
/// Every call but Session.Logon passes <see cref="RpcSessionInterceptor"/>.
/// </summary>
internal sealed class RpcProtocol : HttpFrontEnd
{
    public override string Name => "rpc";

    /// <summary>h2 for gRPC; http/1.1 too, for gRPC-Web from browsers that do not negotiate HTTP/2.</summary>
    public override IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; } =
        [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>gRPC clients speak HTTP/2 only: on a legacy node's clear-text listener, by prior knowledge.</summary>
    public override bool ClearTextHttp2 => true;

    public override RequestDelegate BuildPipeline(IServiceProvider services)
    {
        // A builder of its own, not the application's: its endpoints are routed only here.
        var pipeline = new ApplicationBuilder(services);
        pipeline.UseRouting();
        pipeline.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        pipeline.UseEndpoints(endpoints =>
        {
            endpoints.MapGrpcService<SessionService>();
            endpoints.MapGrpcService<FolderService>();
            endpoints.MapGrpcService<ItemService>();
            endpoints.MapGrpcService<SyncService>();
            endpoints.MapGrpcService<NotificationService>();
            endpoints.MapGrpcService<CalendarService>();
            endpoints.MapGrpcService<DirectoryService>();
            endpoints.MapGrpcReflectionService();
        });
        pipeline.Run(context => HandleAsync(context, ListenerOf(context)));
        return pipeline.Build();
    }

    /// <summary>What no gRPC endpoint took: a plain HTTP request to the RPC port.</summary>
    public override Task HandleAsync(HttpContext context, ListenerContext listener)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("this port serves gRPC (groupware.rpc.v1); use a gRPC or gRPC-Web client\n", context.RequestAborted);
    }
}

/// <summary>Registers the RPC front-end.</summary>
public static class RpcServiceCollectionExtensions
{
    public static IServiceCollection AddRpc(this IServiceCollection services)
    {
        services.TryAddSingleton(new RpcOptions());
        services.TryAddSingleton<RpcSessionStore>();
        services.TryAddSingleton<ItemTableStore>();
        services.TryAddSingleton<AddressBook>();
        services.TryAddSingleton<FolderCatalog>();
        services.TryAddSingleton<CalendarStore>();
        services.TryAddSingleton<ListenerDirectory>();
        services.TryAddSingleton<Submission.SmtpRelay>();
        services.TryAddSingleton<RpcSessionInterceptor>();
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<RpcSessionInterceptor>();
            options.EnableDetailedErrors = false;
        });
        services.AddOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>().Configure<RpcOptions>((grpc, rpc) =>
            grpc.MaxReceiveMessageSize = rpc.MaxReceiveMessageSize);
        services.AddGrpcReflection();
        services.AddSingleton<HttpFrontEnd, RpcProtocol>();
        return services;
    }
}
