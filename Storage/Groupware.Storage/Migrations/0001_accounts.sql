-- One row per account: someone (or some device) who logs in and owns mail and calendars.
CREATE TABLE accounts (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The login as the operator gave it (NFC), and its lookup key: NFKC, lower-cased.
    login               text NOT NULL,
    login_key           text NOT NULL UNIQUE,
    display_name        text NOT NULL DEFAULT '',
    -- '{ARGON2ID}$argon2id$...' for new hashes; imported schemes are upgraded on the next login.
    password_hash       text NOT NULL,
    disabled            boolean NOT NULL DEFAULT false,
    -- May log in with a clear-text password on a legacy node (Node:AllowPlaintextAuth=true).
    legacy_device       boolean NOT NULL DEFAULT false,
    -- Storage quota in bytes; NULL means unlimited.
    quota_bytes         bigint CHECK (quota_bytes IS NULL OR quota_bytes >= 0),
    -- Bytes of stored messages, kept by the mail store in the same transaction as each change.
    used_bytes          bigint NOT NULL DEFAULT 0,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now()
);

-- One row per address that delivers to an account: its primary address and each alias.
CREATE TABLE account_addresses (
    -- local@domain, lower-cased; unique across all accounts.
    address    text PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    is_primary boolean NOT NULL
);

CREATE UNIQUE INDEX account_addresses_one_primary ON account_addresses (account_id) WHERE is_primary;
CREATE INDEX account_addresses_account ON account_addresses (account_id);
