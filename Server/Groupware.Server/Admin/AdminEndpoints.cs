using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Groupware.Server.Admin;

/// <summary>
/// Marks the connections accepted by the admin listener. The HTTP pipeline serves <c>/metrics</c>
/// and <c>/health/*</c> only to marked connections, so the CalDAV and RPC listeners that will share
/// this host's pipeline never expose them.
/// </summary>
internal sealed class AdminConnectionFeature
{
    public static readonly AdminConnectionFeature Instance = new();

    private AdminConnectionFeature()
    {
    }

    /// <summary>Kestrel connection middleware for the admin listener.</summary>
    public static ConnectionDelegate Mark(ConnectionDelegate next) => connection =>
    {
        connection.Features.Set(Instance);
        return next(connection);
    };
}

/// <summary>
/// The admin listener's HTTP/1.1 endpoints: <c>/metrics</c> in the Prometheus text format 0.0.4,
/// <c>/health/live</c> and <c>/health/ready</c> (200, or 503 with the reason).
/// </summary>
internal sealed class AdminEndpoints(MetricsExporter exporter, HealthChecks health)
{
    public const string MetricsPath = "/metrics";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>ASP.NET middleware: answers on the admin listener, passes everything else on.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<AdminConnectionFeature>() is null)
        {
            await next(context);
            return;
        }

        var path = context.Request.Path.Value;
        if (path is not (MetricsPath or LivePath or ReadyPath))
        {
            await TextAsync(context, StatusCodes.Status404NotFound, $"not found; try {MetricsPath}, {LivePath} or {ReadyPath}");
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            await TextAsync(context, StatusCodes.Status405MethodNotAllowed, "only GET and HEAD");
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        switch (path)
        {
            case MetricsPath:
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = PrometheusText.ContentType;
                await WriteBodyAsync(context, exporter.Scrape());
                break;
            case LivePath:
                await HealthAsync(context, HealthChecks.Live());
                break;
            default:
                await HealthAsync(context, await health.ReadyAsync(context.RequestAborted));
                break;
        }
    }

    private static Task HealthAsync(HttpContext context, HealthAnswer answer) =>
        TextAsync(context, answer.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, answer.Text);

    private static Task TextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return WriteBodyAsync(context, text + "\n");
    }

    private static async Task WriteBodyAsync(HttpContext context, string body)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }
}
