namespace Groupware.Sasl;

/// <summary>Where a connection is in the handshake of the Dovecot authentication protocol.</summary>
[Flags]
internal enum SaslState
{
    /// <summary>Connected: the server sent its handshake; the client's <c>VERSION</c> comes first.</summary>
    Connected = 1,

    /// <summary>The client sent a compatible <c>VERSION</c>; its <c>CPID</c> comes next.</summary>
    Versioned = 2,

    /// <summary>The handshake is complete: requests may be made.</summary>
    Ready = 4,

    Any = Connected | Versioned | Ready,
}
