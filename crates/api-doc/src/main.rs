//! `cargo run -p api-doc`: writes docs/openapi.json (the test `openapi_json_is_fresh` fails
//! until it is run after a change to the API's shapes or routes).

fn main() {
    let path = api_doc::committed_path();
    std::fs::write(&path, api_doc::json()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("wrote {}", path.display());
}
