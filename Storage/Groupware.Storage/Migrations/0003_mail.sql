-- The mail store, shaped for IMAP (RFC 9051, CONDSTORE/QRESYNC of RFC 7162) from the start and
-- modelled on Archiveopteryx: (mailbox, uid) keys, per-mailbox uid_next/highest_modseq taken FOR
-- UPDATE in mailbox-id order, content stored once and shared, expunged messages kept with the
-- MODSEQ of their expunge. Every row of user data carries account_id, so the schema can later be
-- distributed by account; blobs are content shared between accounts and carry none.

-- UIDVALIDITY values (RFC 9051 §2.3.1.1): unique across the database and increasing, so a
-- mailbox deleted and created again under the same name never reuses one. Starts at the epoch
-- seconds of the migration, as Dovecot's time-based values do, so that a database restored from
-- scratch does not hand out values a client saw before.
CREATE SEQUENCE mailbox_uid_validity AS bigint MINVALUE 1 MAXVALUE 4294967295;
SELECT setval('mailbox_uid_validity', GREATEST(1, extract(epoch FROM now())::bigint % 4294967295));

-- One row per mailbox (IMAP folder) of an account. The hierarchy is in the name, '/' separated;
-- the inbox is always named INBOX.
CREATE TABLE mailboxes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (name <> ''),
    uid_validity   bigint NOT NULL DEFAULT nextval('mailbox_uid_validity') CHECK (uid_validity BETWEEN 1 AND 4294967295),
    -- The UID the next message gets (RFC 9051 §2.3.1.1); changed only under FOR UPDATE of this row.
    uid_next       bigint NOT NULL DEFAULT 1 CHECK (uid_next BETWEEN 1 AND 4294967296),
    -- The MODSEQ of the last change to the mailbox or one of its messages (RFC 7162 §3.1.1).
    highest_modseq bigint NOT NULL DEFAULT 1 CHECK (highest_modseq >= 1),
    -- RFC 6154 special-use attribute, e.g. \Sent; NULL for an ordinary mailbox.
    special_use    text CHECK (special_use IN ('\All', '\Archive', '\Drafts', '\Flagged', '\Junk', '\Sent', '\Trash')),
    subscribed     boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, name)
);

-- One row per distinct message content: the octets as received (CRLF-normalised, without the
-- trace fields added per recipient), named by their SHA-256, with the parse results MimeKit
-- computed once when the content first arrived. A message delivered to 50 recipients is one row.
CREATE TABLE blobs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256         bytea NOT NULL UNIQUE CHECK (length(sha256) = 32),
    size           bigint NOT NULL CHECK (size >= 0),
    -- RFC 9051 §7.5.2 ENVELOPE and BODYSTRUCTURE as JSON (see Groupware.Storage.Mail.MessageSummary).
    envelope       jsonb NOT NULL,
    body_structure jsonb NOT NULL,
    -- For SEARCH and SORT: the decoded subject, the Date field, Message-ID, and the header
    -- section unfolded and decoded, one field per line.
    subject        text,
    sent_date      timestamptz,
    message_id     text,
    header_text    text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per slice (at most 256 KiB) of a blob's content, so that a large message is written
-- with COPY and read back as a stream without either side holding it whole.
CREATE TABLE blob_chunks (
    blob_id bigint NOT NULL REFERENCES blobs (id) ON DELETE CASCADE,
    seq     integer NOT NULL CHECK (seq >= 0),
    data    bytea NOT NULL,
    PRIMARY KEY (blob_id, seq)
);

-- One row per message in a mailbox. The message's octets are trace_fields followed by the blob's.
CREATE TABLE messages (
    account_id    bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    mailbox_id    bigint NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid           bigint NOT NULL CHECK (uid BETWEEN 1 AND 4294967295),
    modseq        bigint NOT NULL,
    blob_id       bigint NOT NULL REFERENCES blobs (id),
    -- Header fields added at delivery for this recipient (Return-Path, Delivered-To, Received),
    -- stored apart so that recipients of one message share its blob.
    trace_fields  bytea NOT NULL DEFAULT '',
    -- Octets of the whole message: trace_fields plus the blob (RFC 9051 RFC822.SIZE, POP3 LIST).
    size          bigint NOT NULL CHECK (size >= 0),
    internal_date timestamptz NOT NULL DEFAULT now(),
    -- System flags (\Seen \Answered \Flagged \Deleted \Draft) and keywords (RFC 9051 §2.3.2).
    flags         text[] NOT NULL DEFAULT '{}',
    keywords      text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (mailbox_id, uid)
);

CREATE INDEX messages_blob ON messages (blob_id);
CREATE INDEX messages_mailbox_modseq ON messages (mailbox_id, modseq);
CREATE INDEX messages_account ON messages (account_id);

-- One row per message expunged from a mailbox, with the MODSEQ of its expunge, so that QRESYNC
-- can report VANISHED UIDs (RFC 7162 §3.2.10) and a UID is never handed out twice.
CREATE TABLE expunged_messages (
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    mailbox_id  bigint NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid         bigint NOT NULL,
    modseq      bigint NOT NULL,
    expunged_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mailbox_id, uid)
);

CREATE INDEX expunged_messages_mailbox_modseq ON expunged_messages (mailbox_id, modseq);
