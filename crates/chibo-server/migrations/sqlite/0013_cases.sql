-- Cases on one procedure model (issue 13): a case (hồ sơ) of a person in a
-- cell follows the procedure of its kind in force on the day it opened; its
-- steps are dated records, each written with its audit entry. The CHECK
-- lists are chibo-rules' shared vocabulary (vocab.rs `CODES`, in order; a
-- unit test holds them equal).
-- Member statuses: the shared vocabulary, dinh_chi and dang_chuyen included.
-- SQLite cannot add a CHECK to an existing table: triggers refuse the same.
CREATE TRIGGER member_status_code_insert BEFORE INSERT ON member
WHEN NEW.status NOT IN ('du_bi', 'chinh_thuc', 'mien_sinh_hoat', 'tam_thoi_den', 'tam_thoi_di', 'dinh_chi', 'dang_chuyen', 'chuyen_di', 'xoa_ten', 'khai_tru', 'tu_tran')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: member.status'); END;
CREATE TRIGGER member_status_code_update BEFORE UPDATE OF status ON member
WHEN NEW.status NOT IN ('du_bi', 'chinh_thuc', 'mien_sinh_hoat', 'tam_thoi_den', 'tam_thoi_di', 'dinh_chi', 'dang_chuyen', 'chuyen_di', 'xoa_ten', 'khai_tru', 'tu_tran')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: member.status'); END;
CREATE TRIGGER member_status_period_insert BEFORE INSERT ON member_status
WHEN NEW.status NOT IN ('du_bi', 'chinh_thuc', 'mien_sinh_hoat', 'tam_thoi_den', 'tam_thoi_di', 'dinh_chi', 'dang_chuyen', 'chuyen_di', 'xoa_ten', 'khai_tru', 'tu_tran')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: member_status.status'); END;
CREATE TRIGGER member_status_period_update BEFORE UPDATE OF status ON member_status
WHEN NEW.status NOT IN ('du_bi', 'chinh_thuc', 'mien_sinh_hoat', 'tam_thoi_den', 'tam_thoi_di', 'dinh_chi', 'dang_chuyen', 'chuyen_di', 'xoa_ten', 'khai_tru', 'tu_tran')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: member_status.status'); END;

-- A person proposed for admission (quần chúng ưu tú), not a member: only what
-- the procedure needs (the age rule reads the birth date). Views are logged.
CREATE TABLE candidate (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    full_name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    sex TEXT CHECK (sex IS NULL OR sex IN ('nam', 'nu')),
    phone TEXT,
    residence TEXT,
    member_id INTEGER REFERENCES member(id),
    created_at TEXT NOT NULL
);
CREATE INDEX candidate_cell ON candidate(cell_id, name_fold);

CREATE TABLE candidate_access (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL REFERENCES candidate(id),
    granted INTEGER NOT NULL
);
CREATE INDEX candidate_access_candidate ON candidate_access(candidate_id, at);

CREATE TABLE case_file (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    kind TEXT NOT NULL CHECK (kind IN ('ket_nap', 'cong_nhan_chinh_thuc', 'chuyen_chinh_thuc', 'chuyen_tam_thoi', 'chuyen_noi_bo', 'chuyen_nuoc_ngoai', 'huy_hieu', 'danh_gia_dang_vien', 'danh_gia_chi_bo', 'ky_luat')),
    candidate_id INTEGER REFERENCES candidate(id),
    member_id INTEGER REFERENCES member(id),
    opened_on TEXT NOT NULL,
    -- The dates the procedure asks the case to supply, e.g. ngay_ket_nap.
    input_dates TEXT NOT NULL DEFAULT '{}',
    -- Over the age limit: the competent committee's approval, recorded.
    age_exception TEXT,
    outcome TEXT CHECK (outcome IS NULL OR outcome IN ('hoan_thanh', 'tu_choi', 'rut_ho_so', 'xoa_ten', 'tu_tran', 'khong_ky_luat', 'het_thoi_hieu')),
    closed_on TEXT,
    close_reason TEXT,
    -- The upper committee asked the cell for more (its request, open until the next step).
    request TEXT,
    request_on TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    CHECK (candidate_id IS NOT NULL OR member_id IS NOT NULL),
    CHECK ((outcome IS NULL) = (closed_on IS NULL))
);
CREATE INDEX case_file_cell ON case_file(cell_id, closed_on);
-- One open case of a kind per person.
CREATE UNIQUE INDEX case_open_candidate ON case_file(candidate_id, kind) WHERE closed_on IS NULL AND candidate_id IS NOT NULL;
CREATE UNIQUE INDEX case_open_member ON case_file(member_id, kind) WHERE closed_on IS NULL AND member_id IS NOT NULL;

-- A step done (or a vote that failed), dated, with the forms filed and the
-- vote of the meeting that decided it.
CREATE TABLE case_step (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES case_file(id),
    step TEXT NOT NULL,
    on_date TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('done', 'failed')),
    performer TEXT NOT NULL CHECK (performer IN ('nguoi_vao_dang', 'dang_vien', 'than_nhan', 'nguoi_gioi_thieu', 'nguoi_giup_do', 'chi_uy', 'bi_thu', 'chi_bo', 'chi_uy_noi_cu_tru', 'doan_thanh_nien', 'cong_doan', 'co_so_dao_tao', 'doan_the', 'dang_uy_bo_phan', 'dang_uy', 'ban_thuong_vu', 'cap_uy_cap_tren', 'uy_ban_kiem_tra', 'tinh_uy')),
    forms TEXT NOT NULL DEFAULT '[]',
    late_reason TEXT,
    note TEXT,
    vote_id INTEGER UNIQUE REFERENCES vote(id),
    doc_number TEXT,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_step_case ON case_step(case_id, on_date);

-- The members named in a case: introducers and the probationer's helpers.
CREATE TABLE case_person (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES case_file(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    role TEXT NOT NULL CHECK (role IN ('nguoi_gioi_thieu', 'nguoi_giup_do')),
    known_since TEXT,
    UNIQUE (case_id, member_id, role)
);
CREATE INDEX case_person_member ON case_person(member_id);

-- A deadline the competent committee extended, with its reason.
CREATE TABLE case_extension (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES case_file(id),
    step TEXT NOT NULL,
    granted_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    UNIQUE (case_id, step)
);

-- Reminders of a case's deadlines go through the notice outbox.
ALTER TABLE notice ADD COLUMN case_id INTEGER REFERENCES case_file(id);
