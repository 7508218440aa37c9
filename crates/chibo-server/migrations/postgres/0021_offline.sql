-- Changes made on a phone with no connection (issue 12) are sent later,
-- each with a key the phone drew when the change was made. The key is kept
-- in the same transaction as the change, so a change sent twice (the answer
-- was lost, the phone resent it) is applied once.
CREATE TABLE change_receipt (
    key TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account(id),
    action TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);
