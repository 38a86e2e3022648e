-- METADATA (RFC 5464): annotations on the server (per account: every mailbox here has one owner,
-- so the server's /shared entries are the account's too) and on mailboxes. Entry names are kept
-- lower-cased, as RFC 5464 §3.2 compares them case-insensitively; the value is octets (§5 allows
-- literal8). A mailbox's entries go with it on DELETE and stay with it on RENAME (same id).
-- One row per server entry of an account.
CREATE TABLE server_metadata (
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    entry      text NOT NULL CHECK (entry ~ '^/(private|shared)(/[^/*%]+)+$'),
    value      bytea NOT NULL,
    PRIMARY KEY (account_id, entry)
);

-- One row per entry of a mailbox.
CREATE TABLE mailbox_metadata (
    account_id bigint NOT NULL,
    mailbox_id bigint NOT NULL,
    entry      text NOT NULL CHECK (entry ~ '^/(private|shared)(/[^/*%]+)+$'),
    value      bytea NOT NULL,
    PRIMARY KEY (account_id, mailbox_id, entry),
    FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id) ON DELETE CASCADE
);
