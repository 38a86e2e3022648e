-- SAVEDATE (RFC 8514) and PREVIEW (RFC 8970):
--   messages.saved_at  when the message was stored in its mailbox (APPEND, delivery, COPY, MOVE);
--                      NULL for messages stored before this migration, whose SAVEDATE is then their
--                      internal date, which for delivered mail is the same moment.
--   blobs.preview      the start of the text (Groupware.Storage.Mail.MessagePreview), made when the
--                      content is stored; NULL for older content, whose preview is then made from
--                      body_text when it is fetched, until MailStore.RefreshSummariesAsync stores it.
-- OBJECTID (RFC 8474) needs no column: EMAILID and MAILBOXID are digests of the account with the
-- content and of the mailbox's id, which RENAME keeps.
ALTER TABLE messages ADD COLUMN saved_at timestamptz;
ALTER TABLE messages ALTER COLUMN saved_at SET DEFAULT now();
ALTER TABLE blobs ADD COLUMN preview text;
