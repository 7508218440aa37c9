use crate::support::{Backend, TestApp};
use chibo_server::service::audit::Break;
use chibo_server::store;
use chibo_test_macros::db_test;

#[db_test]
async fn chains_verify_and_tampering_is_found(b: Backend) {
    let app = TestApp::demo(b).await;
    let v = app.services.verify_audit().await.unwrap();
    assert!(v.first_break.is_none(), "{b:?}: {v:?}");
    assert!(v.entries > 24 && v.chains >= 2, "{b:?}: {v:?}");

    // Someone edits a stored entry behind chibo's back.
    let cell = app.cell_ids().await[0];
    let member = store::members::of_cell(&app.services.db, cell)
        .await
        .unwrap()[2]
        .id;
    let entry = store::audit::for_entity(&app.services.db, "member", member)
        .await
        .unwrap()
        .remove(0);
    app.tamper(format!(
        "UPDATE audit SET summary = '{{}}' WHERE id = {}",
        entry.id
    ))
    .await;
    let v = app.services.verify_audit().await.unwrap();
    assert_eq!(
        v.first_break,
        Some((entry.chain_id, entry.seq, entry.id, Break::Altered)),
        "{b:?}"
    );
}
