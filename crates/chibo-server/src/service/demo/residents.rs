//! The demo's residents' concerns and study in its first cell: a year of
//! concerns in every state (open, late, forwarded to each kind of body,
//! answered, closed as done, duplicate or spam) and two study campaigns (one
//! finished, at a meeting with its attendance and reflections; one under
//! way). Everything goes through the services on the day it happened, with
//! its audit entry, as the secretary and the member would record it.

use super::super::concerns::ActForm;
use super::super::{Actor, Result, Services};
use crate::model::{AnnouncementDraft, AssignmentDraft, ConcernDraft, DocumentDraft};
use crate::store;
use chrono::{DateTime, Duration, Utc};

/// What residents raise, with the area they live in.
const CONCERNS: [(&str, &str); 12] = [
    (
        "Tổ 1",
        "Đèn chiếu sáng ngõ 12 hỏng nhiều tháng, buổi tối đi lại khó khăn.",
    ),
    (
        "Tổ 2",
        "Đề nghị nạo vét cống thoát nước trước mùa mưa, năm ngoái ngập sâu.",
    ),
    (
        "Tổ 3",
        "Xe tải chở vật liệu chạy quá tốc độ qua khu dân cư vào giờ tan học.",
    ),
    (
        "Tổ 4",
        "Tiếng ồn từ xưởng gỗ kéo dài đến khuya, ảnh hưởng người già và trẻ nhỏ.",
    ),
    (
        "Tổ 5",
        "Đề nghị công khai danh sách hộ nghèo, cận nghèo được hỗ trợ năm nay.",
    ),
    (
        "Tổ 1",
        "Rác thải tập kết sai giờ tại đầu ngõ, bốc mùi vào buổi trưa.",
    ),
    (
        "Tổ 6",
        "Đề nghị hướng dẫn thủ tục cấp đổi căn cước cho người cao tuổi tại nhà.",
    ),
    ("Tổ 2", "Đường bê tông liên tổ bị lún, nứt sau đợt mưa lớn."),
    (
        "Tổ 3",
        "Đề nghị bố trí thêm điểm sinh hoạt văn hóa cho thanh thiếu niên.",
    ),
    (
        "Tổ 4",
        "Tình trạng lấn chiếm vỉa hè để kinh doanh ở chợ tạm.",
    ),
    (
        "Tổ 5",
        "Đề nghị kiểm tra chất lượng nước sinh hoạt, nước có mùi lạ.",
    ),
    ("Tổ 6", "Cần lắp biển báo giảm tốc gần trường mầm non."),
];

/// Where a forwarded concern goes, by kind, and the answer relayed back.
const BODIES: [(&str, &str); 4] = [
    ("ubnd_xa", "Ủy ban nhân dân xã"),
    ("thon", "Trưởng thôn"),
    ("mttq", "Ban công tác Mặt trận khu dân cư"),
    ("cap_uy", "Ban Thường vụ Đảng ủy xã"),
];

fn dmy(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl Services {
    /// Concerns, study campaigns and an announcement in the first cell.
    /// Returns (concerns, campaigns).
    pub async fn generate_demo_residents(&self, now: DateTime<Utc>) -> Result<(usize, usize)> {
        let load = async |login: String| -> Result<Option<Actor>> {
            match self
                .db
                .read(async |r| store::accounts::by_login(r, &login).await)
                .await?
            {
                Some(a) => Ok(Some(Actor::load(&self.db, a.id).await?)),
                None => Ok(None),
            }
        };
        let (Some(sec), member) = (
            load(super::secretary_login(1)).await?,
            load(super::member_login(1)).await?,
        ) else {
            return Ok((0, 0));
        };
        let Some(cell) = sec.units.first().map(|u| u.id) else {
            return Ok((0, 0));
        };
        let concerns = self.demo_concerns(&sec, member.as_ref(), cell, now).await?;
        let campaigns = self
            .demo_campaigns(&sec, member.as_ref(), cell, now)
            .await?;
        self.send_announcement(
            &sec,
            Some(cell),
            &AnnouncementDraft {
                title: "Lịch sinh hoạt chi bộ tháng này".into(),
                body: "Chi bộ sinh hoạt thường kỳ lúc 19 giờ 30, thứ Năm tuần đầu tháng, tại nhà văn hóa tổ dân phố.\nĐề nghị các đồng chí đọc trước tài liệu học tập trong mục Học tập.".into(),
            },
            now - Duration::days(2),
        )
        .await?;
        Ok((concerns, campaigns))
    }

    /// Three concerns a month for a year, each carried to a different state.
    async fn demo_concerns(
        &self,
        sec: &Actor,
        member: Option<&Actor>,
        cell: i64,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut n = 0;
        for month in 0..12i64 {
            for k in 0..3usize {
                let i = (month as usize * 3 + k) % CONCERNS.len();
                let at = now - Duration::days(360 - month * 30 - k as i64 * 7);
                let (area, body) = CONCERNS[i];
                let draft = ConcernDraft {
                    area: area.into(),
                    body: body.into(),
                    contact: String::new(),
                };
                // The member's door, or the secretary's after a residents' meeting.
                let code = match (member, k) {
                    (Some(m), 0) => self.record_concern(m, Some(cell), &draft, at).await?,
                    _ => self.record_concern(sec, Some(cell), &draft, at).await?,
                };
                let id = self
                    .db
                    .read(async |r| store::concerns::by_code(r, &code).await)
                    .await?;
                n += 1;
                let Some(id) = id else { continue };
                let act = |act: &str, body: &str, text: &str| ActForm {
                    act: act.into(),
                    body: body.into(),
                    text: text.into(),
                    date: String::new(),
                    task: None,
                };
                let (kind, to) = BODIES[(month as usize + k) % BODIES.len()];
                let later = |days: i64| (at + Duration::days(days)).min(now);
                match (month as usize * 3 + k) % 6 {
                    // Left open: the recent ones on time, the older ones late.
                    0 => {}
                    // Forwarded, answer awaited.
                    1 => {
                        self.act_on_concern(sec, id, &act("forward", kind, to), later(3))
                            .await?;
                    }
                    // Forwarded, answered, closed.
                    2 => {
                        self.act_on_concern(sec, id, &act("forward", kind, to), later(2))
                            .await?;
                        let answer = format!(
                            "{to} đã tiếp nhận và giải quyết; kết quả đã thông báo tới người dân."
                        );
                        self.act_on_concern(sec, id, &act("answer", "", &answer), later(12))
                            .await?;
                        self.act_on_concern(
                            sec,
                            id,
                            &act("done", "", "Người dân đồng tình với kết quả."),
                            later(14),
                        )
                        .await?;
                    }
                    // Answered within the cell.
                    3 => {
                        self.act_on_concern(
                            sec,
                            id,
                            &act(
                                "answer",
                                "",
                                "Chi bộ đã giải thích, vận động tại buổi họp tổ dân phố.",
                            ),
                            later(5),
                        )
                        .await?;
                    }
                    // The same concern twice.
                    4 => {
                        self.act_on_concern(
                            sec,
                            id,
                            &act("duplicate", "", "Trùng với ý kiến đã tiếp nhận trước đó."),
                            later(1),
                        )
                        .await?;
                    }
                    // A page of links.
                    _ => {
                        self.act_on_concern(
                            sec,
                            id,
                            &act("spam", "", "Nội dung quảng cáo, không phải ý kiến."),
                            later(1),
                        )
                        .await?;
                    }
                }
            }
        }
        Ok(n)
    }

    /// A finished campaign half a year ago (at a meeting, with attendance
    /// and reflections) and one under way (at home, due in two weeks).
    async fn demo_campaigns(
        &self,
        sec: &Actor,
        member: Option<&Actor>,
        cell: i64,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let text = (1..=8)
            .map(|i| format!("{i}. Nội dung trọng tâm số {i}: quán triệt quan điểm, mục tiêu, nhiệm vụ và giải pháp; liên hệ với nhiệm vụ của chi bộ và của mỗi đảng viên tại địa bàn dân cư."))
            .collect::<Vec<_>>()
            .join("\n");
        let began = now - Duration::days(180);
        let (_, first) = self
            .add_study(
                sec,
                Some(cell),
                &DocumentDraft {
                    kind: "nghi_quyet".into(),
                    number: "57-NQ/TW".into(),
                    issued_on: "22/12/2024".into(),
                    issuer: "Bộ Chính trị".into(),
                    title: "Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia".into(),
                    body: text.clone(),
                },
                Some(&AssignmentDraft {
                    audience: "all".into(),
                    members: Vec::new(),
                    deadline: dmy(super::super::today(began + Duration::days(30))),
                    place: "meeting".into(),
                    reflection: true,
                    meeting_id: None,
                }),
                began,
            )
            .await?;
        if let Some(a) = first {
            if let Some(m) = member {
                self.submit_reflection(m, a, "Bản thân nhận thức rõ vai trò của khoa học, công nghệ; sẽ học sử dụng dịch vụ công trực tuyến và hướng dẫn bà con trong tổ.", began + Duration::days(20))
                    .await?;
            }
            self.submit_reflection(
                sec,
                a,
                "Chi ủy sẽ đưa nội dung chuyển đổi số vào nghị quyết chuyên đề của chi bộ.",
                began + Duration::days(35),
            )
            .await?;
            let roll = self
                .db
                .read(async |r| store::members::of_cell(r, cell).await)
                .await?;
            let present: Vec<i64> = roll
                .iter()
                .filter(|m| m.status.on_list())
                .map(|m| m.id)
                .enumerate()
                .filter(|(i, _)| i % 6 != 5)
                .map(|(_, id)| id)
                .collect();
            let held = dmy(super::super::today(began + Duration::days(14)));
            self.record_study_attendance(sec, a, &present, &held, began + Duration::days(14))
                .await?;
        }
        let (_, second) = self
            .add_study(
                sec,
                Some(cell),
                &DocumentDraft {
                    kind: "chi_thi".into(),
                    number: "35-CT/TW".into(),
                    issued_on: "14/06/2024".into(),
                    issuer: "Bộ Chính trị".into(),
                    title: "Chỉ thị về tổ chức đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIV của Đảng".into(),
                    body: text,
                },
                Some(&AssignmentDraft {
                    audience: "all".into(),
                    members: Vec::new(),
                    deadline: dmy(super::super::today(now + Duration::days(14))),
                    place: "home".into(),
                    reflection: false,
                    meeting_id: None,
                }),
                now - Duration::days(5),
            )
            .await?;
        if let (Some(a), Some(m)) = (second, member) {
            self.mark_studied(m, a, now - Duration::days(1)).await?;
        }
        Ok(2)
    }
}
