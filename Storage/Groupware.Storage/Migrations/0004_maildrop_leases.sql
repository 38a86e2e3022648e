-- Maildrop leases: the exclusive-access lock a POP3 session takes when it logs in (RFC 1939 §4),
-- valid across every node that shares this database (see Groupware.Storage.Mail.MaildropLeases).
-- A lease is a row, not a session-level advisory lock: it holds no connection while the session
-- lasts, and it survives a restart of PostgreSQL. Each node renews all the leases it holds in one
-- statement; a lease nobody renews expires, so a node that dies frees its maildrops by itself.

-- One row per maildrop held by a POP3 session on some node. A row whose expires_at has passed is
-- nobody's: the next session to log in to that maildrop takes it over.
CREATE TABLE maildrop_leases (
    account_id  bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    -- Random per lease: a session renews and releases only its own row, never one a successor
    -- took over after it expired.
    holder      uuid NOT NULL,
    -- Node:Name of the node whose session holds it, for an operator asking who holds a maildrop.
    node        text NOT NULL,
    acquired_at timestamptz NOT NULL,
    -- On the database's clock, the only clock every node compares against, so that nodes whose
    -- own clocks disagree still agree on whether a lease has expired.
    expires_at  timestamptz NOT NULL,
    CHECK (expires_at > acquired_at)
);
