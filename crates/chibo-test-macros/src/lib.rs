//! `#[db_test]` turns `async fn name(b: Backend) { … }` into a module `name`
//! with one test per storage backend, `name::sqlite` and `name::postgres`,
//! so a failure on one backend never hides the other's run and each shows
//! under its own name. The PostgreSQL test asks the test support whether a
//! server is configured (`crate::support::postgres_available`), which fails
//! the test when CI requires PostgreSQL and none is there.
//!
//! Written on `proc_macro` alone: the input shape is fixed and small, and the
//! tests should not wait for `syn` to build.

use proc_macro::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

#[proc_macro_attribute]
pub fn db_test(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return error("#[db_test] takes no arguments");
    }
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    // Outer attributes (doc comments…) go on the module.
    let fn_at = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i.to_string() == "async"));
    let Some(fn_at) = fn_at else {
        return error("#[db_test] expects `async fn name(b: Backend) { … }`");
    };
    let (attrs, rest) = tokens.split_at(fn_at);
    let name = match rest.get(2) {
        Some(TokenTree::Ident(i)) if rest[1].to_string() == "fn" => i.clone(),
        _ => return error("#[db_test] expects `async fn name(b: Backend) { … }`"),
    };
    let (Some(TokenTree::Group(params)), Some(TokenTree::Group(body)), None) =
        (rest.get(3), rest.get(4), rest.get(5))
    else {
        return error("#[db_test] expects `async fn name(b: Backend) { … }` with no return type");
    };
    if params.delimiter() != Delimiter::Parenthesis || body.delimiter() != Delimiter::Brace {
        return error("#[db_test] expects `async fn name(b: Backend) { … }`");
    }

    let mut inner: TokenStream = "#[allow(unused_imports)] use super::*; async fn run"
        .parse()
        .expect("tokens");
    inner.extend([
        TokenTree::Group(params.clone()),
        TokenTree::Group(body.clone()),
    ]);
    inner.extend(
        "#[tokio::test] async fn sqlite() { run(crate::support::Backend::Sqlite).await }
         #[tokio::test] async fn postgres() {
             if crate::support::postgres_available() {
                 run(crate::support::Backend::Postgres).await
             }
         }"
        .parse::<TokenStream>()
        .expect("tokens"),
    );

    let mut out: TokenStream = attrs.iter().cloned().collect();
    out.extend([
        TokenTree::Ident(Ident::new("mod", Span::call_site())),
        TokenTree::Ident(name),
        TokenTree::Group(Group::new(Delimiter::Brace, inner)),
    ]);
    out
}

fn error(message: &str) -> TokenStream {
    format!("compile_error!({message:?});")
        .parse()
        .expect("tokens")
}
