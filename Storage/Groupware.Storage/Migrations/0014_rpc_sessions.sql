-- Sessions of the RPC front-end (groupware.rpc.v1, Session.Logon). A session is held here, not in
-- a node's memory, so that any node of the installation accepts its token (DESIGN.md: nothing that
-- must be shared lives in a node). The token itself is never stored, only its SHA-256: a copy of
-- the database does not let anyone act as the account. A session is valid while it has not
-- expired, the account is not disabled, and the password has not changed since the logon; so a
-- password change or disabling the account ends every session of the account at once, on every
-- node, without anything having to find and delete them.

-- One row per RPC session: the token's digest, whose it is, and what logged on.
CREATE TABLE rpc_sessions (
    token_sha256   bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
    account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- What the client said it is (LogonRequest.client_name, client_version), for the operator.
    client_name    text NOT NULL DEFAULT '' CHECK (length(client_name) <= 256),
    client_version text NOT NULL DEFAULT '' CHECK (length(client_version) <= 256),
    -- The node that accepted the logon and the client's address then.
    node           text NOT NULL,
    client_address text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL CHECK (expires_at > created_at)
);

CREATE INDEX rpc_sessions_account ON rpc_sessions (account_id);
-- Expired rows are deleted in batches by the oldest expiry first.
CREATE INDEX rpc_sessions_expires ON rpc_sessions (expires_at);
