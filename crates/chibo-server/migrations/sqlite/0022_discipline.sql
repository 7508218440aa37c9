-- Discipline cases (issue 16, items 2-3): a ky_luat case on the procedure
-- model, and what its steps decide that the step rows do not hold: the
-- finding, the level the secret ballot reached (bound to the ballot that
-- decided it), the level in force, when it took effect and when it lapses.
-- Confidential: only the committee members handling it (discipline_handler),
-- the member concerned and the upper committee see it; reads go to the
-- access log with detail 'discipline:<case id>'.
CREATE TABLE discipline (
    case_id INTEGER PRIMARY KEY REFERENCES case_file(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    -- What the report or the committee found (bounded, NFC).
    finding TEXT NOT NULL,
    -- The level the violation was reported at: it sets the limitation period.
    alleged_level TEXT NOT NULL CHECK (alleged_level IN ('khai_tru', 'cach_chuc', 'canh_cao', 'khien_trach')),
    -- A violation without limitation period (QĐ 69 Art. 4), if it is one.
    violation_kind TEXT CHECK (violation_kind IS NULL OR violation_kind IN ('chinh_tri_noi_bo', 'an_ninh_quoc_phong_doi_ngoai', 'van_bang_gia')),
    violation_on TEXT NOT NULL,
    -- The secret ballot of the cell's meeting bound to this case.
    sv_id INTEGER UNIQUE REFERENCES sv(id),
    -- The level the ballot reached (cumulative count), NULL: none reached.
    voted_level TEXT CHECK (voted_level IS NULL OR voted_level IN ('khai_tru', 'cach_chuc', 'canh_cao', 'khien_trach')),
    -- The level in force: the cell's decision, the upper committee's, or
    -- the one a complaint's resolution left.
    level TEXT CHECK (level IS NULL OR level IN ('khai_tru', 'cach_chuc', 'canh_cao', 'khien_trach')),
    decided_by TEXT CHECK (decided_by IS NULL OR decided_by IN ('chi_bo', 'cap_tren')),
    -- Announced / handed over: the decision takes effect.
    effective_on TEXT,
    -- The member refused to receive it (minuted; it takes effect anyway).
    handover_refused INTEGER NOT NULL DEFAULT 0,
    complained_on TEXT,
    lapses_on TEXT,
    lapsed_on TEXT,
    -- Party activity suspended while the case is considered, and the
    -- standing to restore when it ends.
    suspended_on TEXT,
    prior_status TEXT CHECK (prior_status IS NULL OR prior_status IN ('du_bi', 'chinh_thuc', 'mien_sinh_hoat', 'tam_thoi_den', 'tam_thoi_di', 'dinh_chi', 'dang_chuyen', 'chuyen_di', 'xoa_ten', 'khai_tru', 'tu_tran')),
    CHECK ((level IS NULL) = (decided_by IS NULL))
);
CREATE INDEX discipline_member ON discipline(member_id);

-- The committee members handling a case (by account): with the member
-- concerned and the upper committee, the only ones who see it.
CREATE TABLE discipline_handler (
    case_id INTEGER NOT NULL REFERENCES discipline(case_id),
    account_id INTEGER NOT NULL REFERENCES account(id),
    PRIMARY KEY (case_id, account_id)
);
CREATE INDEX discipline_handler_account ON discipline_handler(account_id);
