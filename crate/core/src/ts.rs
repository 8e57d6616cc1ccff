//! TypeScript names for the JSON values whose Rust type says less than JS sees (feature `ts`,
//! tests only): the wasm crate's `src/typescript.rs` writes `pkg-config/src/generated.ts` from
//! the `ts_rs::TS` derives on the core's JSON shapes, and these stand in for `serde_json` values.

use ts_rs::{Config, TS};

macro_rules! ts_alias {
    ($(#[$doc:meta])* $name:ident => $ts:literal) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;
        impl TS for $name {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;
            fn name(_: &Config) -> String {
                $ts.to_owned()
            }
            fn inline(_: &Config) -> String {
                $ts.to_owned()
            }
        }
    };
}

ts_alias!(
    /// A JSON object of any values (a document's `fields`).
    JsonObject => "Record<string, unknown>"
);
ts_alias!(
    /// A JSON scalar (a field filter's `value`).
    JsonScalar => "string | number | boolean | null"
);
