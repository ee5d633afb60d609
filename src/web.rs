//! The `#[wasm_bindgen]` surface for the page. Lands with issue 4.
