//! Random bytes from WebCrypto (`crypto.getRandomValues`, in workerd as in browsers): no
//! getrandom backend to configure for wasm32.

use wasm_bindgen::JsCast;
use worker::{Error, Result};

pub fn fill(buf: &mut [u8]) -> Result<()> {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let crypto = scope.crypto().map_err(|_| Error::RustError("WebCrypto is missing".into()))?;
    crypto.get_random_values_with_u8_array(buf).map_err(|_| Error::RustError("getRandomValues failed".into()))?;
    Ok(())
}

pub fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    fill(&mut b)?;
    Ok(b)
}

/// Now, in Unix ms.
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}
