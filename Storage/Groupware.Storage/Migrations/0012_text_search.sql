-- SEARCH BODY and TEXT (RFC 9051 §6.4.4: a case-insensitive substring) from indexes kept at
-- delivery: trigram indexes (pg_trgm, shipped with PostgreSQL and a trusted extension since 13, so
-- the database's owner may create it) on the text SEARCH compares, which ILIKE '%word%' uses for a
-- substring of three characters or more. A shorter substring is still matched, by reading the
-- mailbox's texts. Content is indexed once, however many accounts hold it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX blobs_body_text_trgm ON blobs USING gin (body_text gin_trgm_ops);
CREATE INDEX blobs_header_text_trgm ON blobs USING gin (header_text gin_trgm_ops);
