-- Calendar data counts against the account's one quota (quota_bytes) together with its mail, as
-- hosting customers are sold one figure: from this migration on accounts.used_bytes is the octets
-- of stored messages and of calendar object resources, kept by the mail store and the calendar
-- store in the same transaction as each change. CalDAV reports it as DAV:quota-used-bytes (RFC
-- 4331) and IMAP's QUOTA as STORAGE. A node of the release before this one does not count
-- calendar writes; the objects stored until now are added here once.
COMMENT ON COLUMN accounts.used_bytes IS 'Octets of stored messages and calendar object resources, counted against quota_bytes';

UPDATE accounts a SET used_bytes = a.used_bytes + c.octets
FROM (SELECT account_id, sum(size) AS octets FROM calendar_objects GROUP BY account_id) AS c
WHERE c.account_id = a.id;
