use crate::support::{Backend, TestApp};
use chibo_test_macros::db_test;

#[db_test]
async fn the_vote_calculator_explains_its_answer(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, _) = app.login("bithu").await;
    // 12 present, 2 excused, 1 exempted absent: more than half of 12 needs 7.
    let q = "/rules/vote?kind=nghi_quyet&date=10/03/2026&n_chinh_thuc_co_mat=12&n_chinh_thuc_vang_co_ly_do=2\
             &n_mien_sinh_hoat_vang_co_ly_do=1&n_du_bi_co_mat=2&tan_thanh=7&khong_tan_thanh=3&khong_bieu_quyet=2";
    let page = app.page(&c, q).await;
    assert!(
        page.contains("Đạt — cần 7, được 7, trên tổng số 12"),
        "{page}"
    );
    assert!(page.contains("Điều lệ Đảng"), "{page}");
    // One vote fewer fails.
    let page = app.page(&c, &q.replace("tan_thanh=7", "tan_thanh=6")).await;
    assert!(page.contains("Không đạt — cần 7, được 6"), "{page}");
    // Admission counts all full members of the cell: 2/3 of 14 needs 10.
    let page = app
        .page(
            &c,
            &q.replace("nghi_quyet", "ket_nap").replace(
                "tan_thanh=7&khong_tan_thanh=3&khong_bieu_quyet=2",
                "tan_thanh=10&khong_tan_thanh=2&khong_bieu_quyet=0",
            ),
        )
        .await;
    assert!(page.contains("Đạt — cần 10"), "{page}");
    // Without a vote yet, the form starts from the secretary's own cell.
    let page = app.html(&c, "/rules/vote").await;
    assert!(
        page.contains("name=\"n_chinh_thuc_co_mat\" value=\"11\""),
        "the demo cell has 11 full members"
    );
}

#[db_test]
async fn the_rules_in_force_page_cites_sources(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, _) = app.login("dangvien").await;
    let page = app.page(&c, "/rules?at=01/12/2026").await;
    assert!(page.contains("Điều lệ") && page.contains("QĐ"), "{page}");
}
