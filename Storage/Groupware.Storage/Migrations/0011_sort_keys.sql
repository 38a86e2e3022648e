-- SORT and THREAD (RFC 5256), with keys computed once when a content is stored (see
-- Groupware.Storage.Mail.MessageSummary, summary version 3):
--   sort_subject       the base subject of §2.1, case-folded; NULL for content stored before this
--                      migration until MailStore.RefreshSummariesAsync parses it again (SORT then
--                      falls back to the folded subject, THREAD to the subject's own base subject).
--   reply_or_forward   whether extracting the base subject removed a reply or forward artifact (§3,
--                      THREAD REFERENCES step 5).
--   thread_references  the normalised Message-IDs of References, or else the first of In-Reply-To.
-- The addresses SORT orders by (FROM, TO, CC and RFC 5957's DISPLAYFROM, DISPLAYTO) are read from
-- the stored ENVELOPE, which holds them already parsed.
ALTER TABLE blobs
    ADD COLUMN sort_subject text,
    ADD COLUMN reply_or_forward boolean NOT NULL DEFAULT false,
    ADD COLUMN thread_references text[] NOT NULL DEFAULT '{}';
