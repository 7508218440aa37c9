//! Typed errors, each with a stable code (the server maps them to HTTP; the phone shows the
//! Vietnamese message).

use crate::codec::CodecError;
use crate::ids::{Channel, Tracker};

/// A manifest that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Unknown format version.
    #[error("phiên bản định dạng không được hỗ trợ: {0}")]
    Version(u32),
    /// A label is empty, too long or repeated.
    #[error("nhãn không hợp lệ: {0}")]
    Label(String),
    /// Too few or too many options.
    #[error("số phương án không hợp lệ: {0} (cần 2–64, danh sách bầu cử 1–64)")]
    Options(usize),
    /// Seats outside 1..=candidates.
    #[error("số chỗ cần bầu ({seats}) phải từ 1 đến số ứng cử viên ({candidates})")]
    Seats {
        /// Seats.
        seats: u32,
        /// Candidates.
        candidates: usize,
    },
    /// Threshold outside 1..=n or too many trustees.
    #[error("ngưỡng giải mã {k} trên {n} thành viên ban kiểm phiếu không hợp lệ")]
    Threshold {
        /// k.
        k: usize,
        /// n.
        n: usize,
    },
    /// The key shares do not make one joint key.
    #[error("các phần khóa của ban kiểm phiếu không tạo thành một khóa chung")]
    JointKey,
    /// A token key is not a valid RSA key.
    #[error("khóa phát phiếu kênh {} không hợp lệ", .0.code())]
    TokenKey(Channel),
    /// Phone and paper share one token key.
    #[error("khóa phát phiếu của hai kênh phải khác nhau")]
    SameTokenKeys,
    /// The decision inputs do not fit the ballot.
    #[error("thông tin biểu quyết không hợp lệ: {0}")]
    Decision(String),
}

impl ManifestError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ManifestError::Version(_) => "manifest_version",
            ManifestError::Label(_) => "manifest_label",
            ManifestError::Options(_) => "manifest_options",
            ManifestError::Seats { .. } => "manifest_seats",
            ManifestError::Threshold { .. } => "manifest_threshold",
            ManifestError::JointKey => "manifest_joint_key",
            ManifestError::TokenKey(_) => "manifest_token_key",
            ManifestError::SameTokenKeys => "manifest_same_token_keys",
            ManifestError::Decision(_) => "manifest_decision",
        }
    }
}

/// Token issuing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// RSA key generation failed.
    #[error("không tạo được khóa phát phiếu")]
    KeyGeneration,
    /// A key or state could not be encoded or decoded.
    #[error("khóa phát phiếu không đọc được")]
    Encoding,
    /// The blinded request is malformed.
    #[error("yêu cầu nhận phiếu không hợp lệ")]
    BadRequest,
    /// The signature returned does not verify.
    #[error("chữ ký phát phiếu không hợp lệ")]
    BadSignature,
}

impl TokenError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::KeyGeneration => "token_keygen",
            TokenError::Encoding => "token_encoding",
            TokenError::BadRequest => "token_bad_request",
            TokenError::BadSignature => "token_bad_signature",
        }
    }
}

/// The phone cannot make this ballot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BallotError {
    /// The token is for another vote.
    #[error("thẻ bầu thuộc cuộc bỏ phiếu khác")]
    OtherVote,
    /// A choice for one kind of ballot given to the other.
    #[error("lựa chọn không đúng loại phiếu")]
    WrongKind,
    /// Index out of range.
    #[error("không có phương án số {}", .0 + 1)]
    NoSuchOption(usize),
    /// A candidate kept twice.
    #[error("ứng cử viên số {} được chọn hai lần", .0 + 1)]
    Repeated(usize),
    /// More names kept than seats.
    #[error("giữ lại {kept} tên, nhiều hơn số chỗ cần bầu ({seats}): phiếu không hợp lệ")]
    TooManyKept {
        /// Kept.
        kept: usize,
        /// Seats.
        seats: u32,
    },
}

impl BallotError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            BallotError::OtherVote => "ballot_other_vote",
            BallotError::WrongKind => "ballot_wrong_kind",
            BallotError::NoSuchOption(_) => "ballot_no_such_option",
            BallotError::Repeated(_) => "ballot_repeated",
            BallotError::TooManyKept { .. } => "ballot_too_many_kept",
        }
    }
}

/// Key generation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DkgError {
    /// k of n is not valid.
    #[error("ngưỡng {k} trên {n} không hợp lệ")]
    Params {
        /// n.
        n: usize,
        /// k.
        k: usize,
    },
    /// An index is out of range or repeated.
    #[error("chỉ số thành viên ban kiểm phiếu không hợp lệ hoặc lặp: {0}")]
    Index(usize),
    /// A member's message is missing.
    #[error("thiếu thông điệp của thành viên số {}", .0 + 1)]
    Missing(usize),
    /// The relayed copy of this phone's own message differs.
    #[error("máy chủ chuyển sai thông điệp của chính máy này")]
    NotMine,
    /// A member's message does not check.
    #[error("thông điệp của thành viên số {} không hợp lệ: {why}", .index + 1)]
    Peer {
        /// Sender.
        index: usize,
        /// Why.
        why: String,
    },
    /// Sealing failed.
    #[error("không niêm phong được phần khóa")]
    Seal,
}

impl DkgError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            DkgError::Params { .. } => "dkg_params",
            DkgError::Index(_) => "dkg_index",
            DkgError::Missing(_) => "dkg_missing",
            DkgError::NotMine => "dkg_not_mine",
            DkgError::Peer { .. } => "dkg_peer",
            DkgError::Seal => "dkg_seal",
        }
    }
}

/// Why the server refuses a cast ballot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CastError {
    /// Not a canonical ballot.
    #[error("phiếu không đọc được: {0}")]
    Malformed(CodecError),
    /// Unknown format version.
    #[error("phiên bản phiếu không được hỗ trợ")]
    Version,
    /// Made for another vote (or another manifest).
    #[error("phiếu thuộc cuộc bỏ phiếu khác")]
    OtherVote,
    /// Wrong number of options, flag or total.
    #[error("phiếu không đúng mẫu")]
    Shape,
    /// The token does not verify for this vote and channel (forged, from another vote, or
    /// bound to another credential).
    #[error("thẻ bầu không hợp lệ")]
    BadToken,
    /// A validity proof fails: too many names kept, none kept without the flag, an option
    /// counted twice, two levels marked…
    #[error("phiếu không hợp lệ (chứng minh tính hợp lệ sai ở {0})")]
    InvalidBallot(String),
    /// The proof of possession of the credential fails (the ballot was altered).
    #[error("phiếu đã bị sửa sau khi ký")]
    BadPossession,
    /// Another ballot already used this credential.
    #[error("thẻ bầu này đã được dùng cho một phiếu khác")]
    CredentialUsed,
}

impl CastError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            CastError::Malformed(_) => "cast_malformed",
            CastError::Version => "cast_version",
            CastError::OtherVote => "cast_other_vote",
            CastError::Shape => "cast_shape",
            CastError::BadToken => "cast_bad_token",
            CastError::InvalidBallot(_) => "cast_invalid_ballot",
            CastError::BadPossession => "cast_bad_possession",
            CastError::CredentialUsed => "cast_credential_used",
        }
    }

    pub(crate) fn from_fault(f: crate::ballot::Fault) -> CastError {
        use crate::ballot::Fault;
        match f {
            Fault::Version => CastError::Version,
            Fault::OtherManifest => CastError::OtherVote,
            Fault::Shape => CastError::Shape,
            Fault::Token => CastError::BadToken,
            Fault::Range(i) => CastError::InvalidBallot(format!("giá trị ô {}", i + 1)),
            Fault::Equivalence(i) => CastError::InvalidBallot(format!("cam kết ô {}", i + 1)),
            Fault::Constraint => CastError::InvalidBallot("tổng số ô được chọn".into()),
            Fault::Possession => CastError::BadPossession,
        }
    }
}

/// Why a board is not a valid closed box.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoardError {
    /// Not canonical.
    #[error("bảng phiếu không đọc được: {0}")]
    Malformed(CodecError),
    /// Unknown version.
    #[error("phiên bản bảng phiếu không được hỗ trợ")]
    Version,
    /// The manifest is invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// A ballot is invalid.
    #[error("phiếu {tracker}: {error}")]
    Ballot {
        /// Which.
        tracker: Tracker,
        /// Why.
        error: CastError,
    },
    /// Ballots not in strictly increasing tracker order (or one listed twice).
    #[error("các phiếu không theo thứ tự mã theo dõi hoặc bị lặp")]
    Order,
    /// Two ballots share a credential.
    #[error("phiếu {0} dùng lại thẻ bầu của một phiếu khác")]
    DuplicateCredential(Tracker),
    /// More ballots cast than issued on a channel.
    #[error("kênh {}: {cast} phiếu bỏ vào nhiều hơn {issued} phiếu phát ra", .channel.code())]
    CastOverIssued {
        /// Channel.
        channel: Channel,
        /// Cast (for paper: valid entered + invalid).
        cast: u64,
        /// Issued.
        issued: u32,
    },
}

impl BoardError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            BoardError::Malformed(_) => "board_malformed",
            BoardError::Version => "board_version",
            BoardError::Manifest(_) => "board_manifest",
            BoardError::Ballot { .. } => "board_ballot",
            BoardError::Order => "board_order",
            BoardError::DuplicateCredential(_) => "board_duplicate_credential",
            BoardError::CastOverIssued { .. } => "board_cast_over_issued",
        }
    }
}

/// Why a trustee's phone refuses to produce a decryption share.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareRefusal {
    /// The board sent is not the one whose hash the committee was shown (e.g. a subset).
    #[error(
        "bảng phiếu gửi tới (mã {actual}) khác bảng phiếu đã công bố (mã {shown}): từ chối giải mã"
    )]
    BoardHash {
        /// Shown in the room.
        shown: String,
        /// Of the bytes received.
        actual: String,
    },
    /// The board is not a valid closed box.
    #[error(transparent)]
    Board(#[from] BoardError),
    /// The board is of another vote.
    #[error("bảng phiếu thuộc cuộc bỏ phiếu khác")]
    OtherVote,
    /// The board's joint key is not the one this trustee holds a share of.
    #[error("khóa chung của bảng phiếu không phải khóa của ban kiểm phiếu này")]
    OtherKey,
}

impl ShareRefusal {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ShareRefusal::BoardHash { .. } => "share_refused_board_hash",
            ShareRefusal::Board(_) => "share_refused_board",
            ShareRefusal::OtherVote => "share_refused_other_vote",
            ShareRefusal::OtherKey => "share_refused_other_key",
        }
    }
}

/// Why a decryption share is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// For another board.
    #[error("phần giải mã của thành viên số {} dành cho bảng phiếu khác", .0 + 1)]
    OtherBoard(usize),
    /// Index out of range or repeated.
    #[error("chỉ số thành viên ban kiểm phiếu không hợp lệ hoặc lặp: {0}")]
    Index(usize),
    /// Wrong number of parts.
    #[error("phần giải mã của thành viên số {} thiếu hoặc thừa", .0 + 1)]
    Length(usize),
    /// A Chaum–Pedersen proof fails.
    #[error("phần giải mã của thành viên số {} không hợp lệ", .0 + 1)]
    Proof(usize),
}

impl ShareError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ShareError::OtherBoard(_) => "share_other_board",
            ShareError::Index(_) => "share_index",
            ShareError::Length(_) => "share_length",
            ShareError::Proof(_) => "share_proof",
        }
    }
}

/// The rules could not decide the outcome from the counts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("không áp dụng được quy định để xác định kết quả: {0}")]
pub struct OutcomeError(pub String);

/// Why a published record does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Not canonical (any changed byte outside a value ends here).
    #[error("biên bản không đọc được: {0}")]
    Malformed(CodecError),
    /// Unknown version.
    #[error("phiên bản biên bản không được hỗ trợ")]
    Version,
    /// The board inside is not valid.
    #[error(transparent)]
    Board(#[from] BoardError),
    /// The board hash recorded is not the board's.
    #[error("mã bảng phiếu ghi trong biên bản sai")]
    BoardHash,
    /// The aggregate is not the sum of the board's ballots.
    #[error("tổng mã hóa ghi trong biên bản không khớp với các phiếu")]
    Aggregate,
    /// A share is invalid.
    #[error(transparent)]
    Share(#[from] ShareError),
    /// The counts are not what the shares decrypt to.
    #[error("số phiếu ghi trong biên bản không khớp với kết quả giải mã")]
    Counts,
    /// Decrypted vs failed does not match the number of shares.
    #[error("trạng thái kiểm phiếu không khớp với số phần giải mã ({shares} có, cần {needed})")]
    Status {
        /// Shares present.
        shares: usize,
        /// k.
        needed: usize,
    },
    /// The outcome recorded is not what the rules give.
    #[error("kết quả ghi trong biên bản không đúng quy định: {0}")]
    Outcome(String),
}

impl VerifyError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "record_malformed",
            VerifyError::Version => "record_version",
            VerifyError::Board(_) => "record_board",
            VerifyError::BoardHash => "record_board_hash",
            VerifyError::Aggregate => "record_aggregate",
            VerifyError::Share(_) => "record_share",
            VerifyError::Counts => "record_counts",
            VerifyError::Status { .. } => "record_status",
            VerifyError::Outcome(_) => "record_outcome",
        }
    }
}
