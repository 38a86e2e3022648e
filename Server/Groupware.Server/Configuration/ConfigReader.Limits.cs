using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Groupware.Server.Configuration;

internal sealed partial class ConfigReader
{
    /// <summary>
    /// Shortest line limit an operator may set: RFC 5321 §4.5.3.1.4 needs 512 octets for a command line,
    /// and SASL responses (RFC 5034 §4) are longer; DESIGN.md asks for at least 8192 by default.
    /// </summary>
    private const int MinimumLineLength = 1024;

    /// <summary>Reads the <c>Limits</c> section; a key that is absent keeps the protocol's own default.</summary>
    private LimitsOptions ReadLimits(IConfiguration configuration)
    {
        var defaults = new LimitsOptions();
        var maxLineLength = ReadOptionalLong(configuration, "Limits:MaxLineLength", MinimumLineLength, int.MaxValue);
        return new LimitsOptions
        {
            MaxConnectionsPerListener = ReadPositive(configuration, "Limits:MaxConnectionsPerListener", defaults.MaxConnectionsPerListener),
            MaxConnectionsPerIp = ReadPositive(configuration, "Limits:MaxConnectionsPerIp", defaults.MaxConnectionsPerIp),
            TlsHandshakeTimeoutSeconds = ReadPositive(configuration, "Limits:TlsHandshakeTimeoutSeconds", defaults.TlsHandshakeTimeoutSeconds),
            ShutdownTimeoutSeconds = ReadPositive(configuration, "Limits:ShutdownTimeoutSeconds", defaults.ShutdownTimeoutSeconds),
            MaxLineLength = maxLineLength is { } line ? (int)line : null,
            MaxLiteralSize = ReadOptionalLong(configuration, "Limits:MaxLiteralSize", 1, long.MaxValue),
            MaxCommandSize = ReadOptionalLong(configuration, "Limits:MaxCommandSize", maxLineLength ?? MinimumLineLength, long.MaxValue),
            IdleTimeoutSeconds = (int?)ReadOptionalLong(configuration, "Limits:IdleTimeoutSeconds", 1, int.MaxValue),
            CommandLineTimeoutSeconds = (int?)ReadOptionalLong(configuration, "Limits:CommandLineTimeoutSeconds", 1, int.MaxValue),
            MinDataRate = (int?)ReadOptionalLong(configuration, "Limits:MinDataRate", 0, int.MaxValue),
        };
    }

    /// <summary>A whole number within [<paramref name="minimum"/>, <paramref name="maximum"/>], or null when the key is absent; anything else is a problem.</summary>
    private long? ReadOptionalLong(IConfiguration configuration, string key, long minimum, long maximum)
    {
        var text = configuration[key];
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
        {
            return value;
        }

        Problem(key, string.Create(CultureInfo.InvariantCulture, $"\"{text}\" is not a whole number of at least {minimum}"));
        return null;
    }
}
