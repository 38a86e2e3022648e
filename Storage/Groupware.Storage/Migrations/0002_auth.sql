-- One row per authentication attempt on any node, whatever its outcome: the audit log that
-- `groupware user list --exposed` reads and the shared block list is computed from.
CREATE TABLE auth_attempts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL,
    node           text NOT NULL,
    listener       text NOT NULL,
    protocol       text NOT NULL,
    -- NULL for a client on a unix-domain socket.
    remote_address inet,
    -- What throttling counts: the address of an IPv4 client, the prefix (Auth:IPv6PrefixLength) of an IPv6 one.
    client_network cidr,
    -- The login exactly as the client gave it (control characters replaced, at most 256 characters).
    login          text NOT NULL,
    -- The account the login names, when one does; kept as NULL when the account is deleted.
    account_id     bigint REFERENCES accounts (id) ON DELETE SET NULL,
    -- How the credential came: USER, LOGIN-COMMAND, PLAIN, LOGIN, BASIC, RPC.
    mechanism      text NOT NULL,
    tls            boolean NOT NULL,
    -- The password crossed a network in clear text (no TLS, not a trusted network, not a unix socket).
    exposed        boolean NOT NULL,
    -- success, plaintext-refused, invalid-credentials, account-disabled, not-allowed-on-this-node,
    -- throttled or temporary-failure.
    outcome        text NOT NULL
);

CREATE INDEX auth_attempts_at ON auth_attempts (at);
CREATE INDEX auth_attempts_account ON auth_attempts (account_id, at);
-- What the block list counts: failures that checked a password, by client network.
CREATE INDEX auth_attempts_failures ON auth_attempts (client_network, at)
    WHERE outcome IN ('invalid-credentials', 'account-disabled');

-- One row per client network blocked from authenticating on every node (an IPv4 address, or an
-- IPv6 prefix), until blocked_until.
CREATE TABLE auth_blocks (
    network       cidr PRIMARY KEY,
    blocked_until timestamptz NOT NULL,
    -- Failures counted when the block was (last) set.
    failures      integer NOT NULL,
    -- The node whose audit flush set it.
    node          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX auth_blocks_until ON auth_blocks (blocked_until);

-- Every node keeps the block list in memory and learns of a new or extended block at once. The
-- payload is 'network microseconds-since-1970', exactly the stored end (no rounding up).
CREATE FUNCTION auth_blocks_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('groupware_auth_blocks',
        NEW.network::text || ' ' || floor(extract(epoch FROM NEW.blocked_until) * 1000000)::bigint::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER auth_blocks_notify AFTER INSERT OR UPDATE ON auth_blocks
    FOR EACH ROW EXECUTE FUNCTION auth_blocks_notify();
