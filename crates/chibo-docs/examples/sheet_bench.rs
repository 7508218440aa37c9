//! Times export and import of a large member table.
//!
//! cargo run --release -p chibo-docs --example sheet_bench -- [ROWS]
//! (ROWS defaults to 300000; 20 columns.) Prints wall-clock and, on Linux,
//! CPU time of each step: on a shared machine the latter is the steadier.

use std::time::{Duration, Instant};

use chibo_docs::sheet::{ColumnSpec, read_table, write_csv, write_xlsx};

const COLUMNS: &[ColumnSpec] = &[
    spec("ho_ten", "Họ và tên"),
    spec("ten_goi_khac", "Tên gọi khác"),
    spec("gioi_tinh", "Giới tính"),
    spec("ngay_sinh", "Ngày sinh"),
    spec("dan_toc", "Dân tộc"),
    spec("ton_giao", "Tôn giáo"),
    spec("so_dinh_danh", "Số định danh cá nhân"),
    spec("so_the", "Số thẻ đảng viên"),
    spec("ngay_vao_dang", "Ngày vào Đảng"),
    spec("ngay_chinh_thuc", "Ngày chính thức"),
    spec("to_dang", "Tổ đảng"),
    spec("dien_thoai", "Điện thoại"),
    spec("email", "Thư điện tử"),
    spec("que_quan", "Quê quán"),
    spec("noi_cu_tru", "Nơi cư trú"),
    spec("trinh_do", "Trình độ học vấn"),
    spec("chuyen_mon", "Chuyên môn"),
    spec("ly_luan", "Lý luận chính trị"),
    spec("nghe_nghiep", "Nghề nghiệp"),
    spec("ghi_chu", "Ghi chú"),
];

const fn spec(key: &'static str, label: &'static str) -> ColumnSpec {
    ColumnSpec {
        key,
        label,
        aliases: &[],
    }
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("ROWS is a number"))
        .unwrap_or(300_000);

    let rows: Vec<Vec<Option<String>>> = timed("generate", || (0..count).map(member).collect());
    println!("  {count} rows x {} columns", COLUMNS.len());

    let title = Some("DANH SÁCH ĐẢNG VIÊN");
    let xlsx = timed("write_xlsx", || {
        write_xlsx(title, COLUMNS, &rows).expect("xlsx")
    });
    println!("  {:.1} MB", mb(&xlsx));
    let table = timed("read_table xlsx", || {
        read_table(&xlsx, "bench.xlsx", COLUMNS, &["ho_ten"]).expect("read xlsx")
    });
    check(&table.rows, &rows);
    drop(table);

    let csv = timed("write_csv", || write_csv(COLUMNS, &rows));
    println!("  {:.1} MB", mb(&csv));
    let table = timed("read_table csv", || {
        read_table(&csv, "bench.csv", COLUMNS, &["ho_ten"]).expect("read csv")
    });
    check(&table.rows, &rows);
}

fn timed<T>(step: &str, f: impl FnOnce() -> T) -> T {
    let (wall, cpu) = (Instant::now(), cpu_time());
    let out = f();
    let cpu = match (cpu, cpu_time()) {
        (Some(a), Some(b)) => format!(", CPU {:.2?}", b - a),
        _ => String::new(),
    };
    println!("{step}: {:.2?}{cpu}", wall.elapsed());
    out
}

/// User + system time of this process, from /proc (Linux only).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields overall, in clock ticks (100 per second here).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn check(got: &[chibo_docs::sheet::Row], want: &[Vec<Option<String>>]) {
    assert_eq!(got.len(), want.len());
    assert!(
        got.iter().zip(want).all(|(g, w)| g.cells == *w),
        "round trip changed data"
    );
}

fn mb(bytes: &[u8]) -> f64 {
    bytes.len() as f64 / 1e6
}

/// A plausible, varied member; a few fields left empty.
fn member(i: usize) -> Vec<Option<String>> {
    const FAMILY: [&str; 8] = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng",
    ];
    const MIDDLE: [&str; 6] = ["Văn", "Thị", "Hữu", "Ngọc", "Đức", "Thu"];
    const GIVEN: [&str; 9] = [
        "An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Lộc", "Mỹ", "Đạt",
    ];
    let some = |s: String| Some(s);
    let date = |n: usize, base: usize| {
        some(format!(
            "{:02}/{:02}/{}",
            n % 28 + 1,
            n % 12 + 1,
            base + n % 30
        ))
    };
    vec![
        some(format!(
            "{} {} {}",
            FAMILY[i % 8],
            MIDDLE[i % 6],
            GIVEN[i % 9]
        )),
        i.is_multiple_of(7).then(|| "Tư".to_owned()),
        some(if i.is_multiple_of(2) { "Nam" } else { "Nữ" }.to_owned()),
        date(i, 1950),
        some(if i.is_multiple_of(10) { "Tày" } else { "Kinh" }.to_owned()),
        some("Không".to_owned()),
        some(format!("{:012}", 1_075_000_000 + i)),
        some(format!("{:012}", i * 7)),
        date(i / 3, 1985),
        date(i / 3 + 1, 1986),
        some(format!("Tổ {}", i % 5 + 1)),
        some(format!("09{:08}", i)),
        i.is_multiple_of(3).then(|| format!("dv{i}@example.vn")),
        some("Xã Phong Điền, Thừa Thiên Huế".to_owned()),
        some(format!("Số {}, đường Lê Lợi, phường Bến Nghé", i % 300 + 1)),
        some("12/12".to_owned()),
        some("Cử nhân Luật".to_owned()),
        some("Trung cấp".to_owned()),
        some("Cán bộ hưu trí".to_owned()),
        None,
    ]
}
