-- Keeping members (issue 14): transfers between cells on the case model, and
-- the dues ledger.

-- A transfer (chuyển sinh hoạt đảng) is a case (case_file, one of the four
-- transfer kinds) with its two sides: the case's cell is the origin, or the
-- destination when the member came with a letter from outside this instance.
-- While the case is open the member stands "dang_chuyen" (on neither roll) or,
-- for a temporary transfer, "tam_thoi_di" on the home list.
CREATE TABLE transfer (
    case_id INTEGER PRIMARY KEY REFERENCES case_file(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    origin_cell_id INTEGER REFERENCES org_unit(id),
    -- An organisation outside this instance (a member received by letter).
    origin_outside TEXT,
    dest_cell_id INTEGER REFERENCES org_unit(id),
    dest_outside TEXT,
    reason TEXT NOT NULL,
    -- A temporary transfer: the planned return.
    return_on TEXT,
    -- The standing restored on reception, refusal or return.
    prior_status TEXT NOT NULL CHECK (prior_status IN ('du_bi', 'chinh_thuc', 'mien_sinh_hoat')),
    -- The national public-service portal's reference (chibo does not replace it).
    portal_ref TEXT,
    -- The letter (giấy giới thiệu sinh hoạt đảng): Số GTSHĐ, Số LL, Số SĐV,
    -- its date and "đã đóng đảng phí hết tháng" (YYYY-MM).
    letter_no TEXT,
    history_no TEXT,
    register_no TEXT,
    letter_on TEXT,
    dues_paid_through TEXT,
    -- A temporary member received by the host cell (listed there as attached).
    attached INTEGER NOT NULL DEFAULT 0,
    refusal TEXT,
    created_at TEXT NOT NULL,
    CHECK (origin_cell_id IS NOT NULL OR origin_outside IS NOT NULL),
    CHECK (dest_cell_id IS NOT NULL OR dest_outside IS NOT NULL)
);
CREATE INDEX transfer_dest ON transfer(dest_cell_id);
CREATE INDEX transfer_origin ON transfer(origin_cell_id);
CREATE INDEX transfer_member ON transfer(member_id);

-- A member's dues category from a month on (dated changes; the latest whose
-- month has begun applies). Amounts are integers in đồng.
CREATE TABLE dues_category (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id),
    from_month TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('bhxh', 'pension', 'student', 'other_under_retirement', 'other_retirement_age', 'exempt')),
    base_vnd INTEGER CHECK (base_vnd IS NULL OR base_vnd >= 0),
    zone INTEGER CHECK (zone IS NULL OR zone BETWEEN 1 AND 4),
    reduction_pct INTEGER,
    reason TEXT,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (member_id, from_month)
);

-- The ledger: append-only. A payment is the one entry of its member-month
-- (the unique index stores one when two treasurers mark it at once); a
-- correction is a new entry referencing the one it corrects, its amount the
-- signed difference, so totals are always the sum of entries.
CREATE TABLE dues_entry (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id),
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    month TEXT NOT NULL,
    amount_vnd INTEGER NOT NULL,
    -- What the pack computed for the month when it was entered.
    due_vnd INTEGER NOT NULL,
    paid_on TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('cash', 'portal')),
    corrects_id INTEGER REFERENCES dues_entry(id),
    reason TEXT,
    receipt_no TEXT,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (corrects_id IS NOT NULL OR amount_vnd > 0)
);
CREATE UNIQUE INDEX dues_entry_once ON dues_entry(member_id, month) WHERE corrects_id IS NULL;
CREATE INDEX dues_entry_cell ON dues_entry(cell_id, month);

-- A month the cell closed (its collection counted and remitted).
CREATE TABLE dues_close (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    month TEXT NOT NULL,
    closed_on TEXT NOT NULL,
    collected_vnd INTEGER NOT NULL,
    retained_vnd INTEGER NOT NULL,
    remitted_vnd INTEGER NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (cell_id, month)
);
