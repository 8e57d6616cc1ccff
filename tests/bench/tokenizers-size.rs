//! tests/bench/tokenizers-size.sh builds this twice. How many bytes `tokenizers` adds to a wasm module that tokenizes a query: the same exported
//! function with (feature `tok`) and without the crate.
#[no_mangle]
pub extern "C" fn alloc(n: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(n);
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Tokenizes `text` with the tokenizer JSON in `json`; returns the number of ids (or of bytes).
#[no_mangle]
pub extern "C" fn count(json: *const u8, json_len: usize, text: *const u8, text_len: usize) -> usize {
    let json = unsafe { std::slice::from_raw_parts(json, json_len) };
    let text = unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(text, text_len)) };
    #[cfg(feature = "tok")]
    {
        let t = tokenizers::Tokenizer::from_bytes(json).unwrap();
        t.encode(text, false).unwrap().get_ids().len()
    }
    #[cfg(not(feature = "tok"))]
    {
        let v: serde_json::Value = serde_json::from_slice(json).unwrap();
        v.to_string().len() + text.len()
    }
}
