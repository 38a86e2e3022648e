using System.Text.Json;

namespace Groupware.Autoconfig.Documents;

/// <summary>
/// Outlook's Autodiscover v2, the JSON endpoint it asks first (<c>/autodiscover/autodiscover.json?Email=ADDR&amp;Protocol=P</c>
/// or <c>/autodiscover/autodiscover.json/v1.0/ADDR?Protocol=P</c>): for <c>AutodiscoverV1</c> the answer is the
/// HTTPS URL of the POX endpoint (<see cref="AutodiscoverPox"/>), on the secure nodes' own name, whose certificate
/// the provider has; any other protocol (ActiveSync, EWS) is not served, and says so as Exchange does.
/// </summary>
internal static class AutodiscoverJson
{
    public const string AutodiscoverV1 = "AutodiscoverV1";

    public static byte[] RenderRedirect(string host, int port) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
    {
        ["Protocol"] = AutodiscoverV1,
        ["Url"] = $"https://{host}{(port == 443 ? "" : $":{port}")}/autodiscover/autodiscover.xml",
    });

    public static byte[] RenderInvalidProtocol(string? protocol) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
    {
        ["ErrorCode"] = "InvalidProtocol",
        ["ErrorMessage"] = $"The given protocol value '{protocol}' is invalid. Supported values are '{AutodiscoverV1}'",
    });
}
