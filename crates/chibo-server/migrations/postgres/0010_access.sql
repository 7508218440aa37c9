-- Access (issue 11).
--
-- The access log records more than reads of one member record: searches by
-- an identifier (card number, national ID, phone), which may match several
-- members or none, and every refused request. `member_id` is therefore
-- optional; `kind` says what was done and `detail` what was asked for.
ALTER TABLE access_log ALTER COLUMN member_id DROP NOT NULL;
ALTER TABLE access_log ADD COLUMN kind TEXT NOT NULL DEFAULT 'read'
    CHECK (kind IN ('read', 'search', 'refused'));
ALTER TABLE access_log ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE access_log ADD COLUMN detail TEXT;
CREATE INDEX access_log_account ON access_log(account_id, at);

-- API tokens expire, carry their owner's label, and can be revoked (kept, not
-- deleted, so the audit trail's mention of them still resolves). Tokens
-- issued before expiry existed get the default lifetime (90 days) from their
-- creation.
ALTER TABLE api_token ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE api_token ALTER COLUMN label DROP DEFAULT;
ALTER TABLE api_token ADD COLUMN expires_at TIMESTAMPTZ;
UPDATE api_token SET expires_at = created_at + INTERVAL '90 days';
ALTER TABLE api_token ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE api_token ADD COLUMN revoked_at TIMESTAMPTZ;
CREATE INDEX api_token_account ON api_token(account_id);

-- A member list shows each member's current committee post, looked up by
-- member.
CREATE INDEX committee_role_member ON committee_role(member_id);
