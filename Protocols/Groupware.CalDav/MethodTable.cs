using Groupware.CalDav.Methods;

namespace Groupware.CalDav;

/// <summary>The methods this server answers after authentication, and the handler of each: the one place that says which exist.</summary>
internal static class MethodTable
{
    private static readonly Dictionary<string, Func<DavRequest, Task<DavResponse>>> Handlers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["OPTIONS"] = _ => Task.FromResult(OptionsMethod.Answer()),
        ["PROPFIND"] = PropfindMethod.ExecuteAsync,
        ["PROPPATCH"] = ProppatchMethod.ExecuteAsync,
        ["MKCALENDAR"] = MkcalendarMethod.ExecuteAsync,
        ["MKCOL"] = MkcalendarMethod.ExecuteAsync,
        ["GET"] = GetMethod.ExecuteAsync,
        ["HEAD"] = GetMethod.ExecuteAsync,
        ["PUT"] = PutMethod.ExecuteAsync,
        ["DELETE"] = DeleteMethod.ExecuteAsync,
        ["COPY"] = CopyMoveMethod.ExecuteAsync,
        ["MOVE"] = CopyMoveMethod.ExecuteAsync,
        ["REPORT"] = ReportMethod.ExecuteAsync,
    };

    public static Func<DavRequest, Task<DavResponse>>? Find(string method) => Handlers.GetValueOrDefault(method);
}
