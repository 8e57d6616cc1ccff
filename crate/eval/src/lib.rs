//! Retrieval evaluation for Sparrow, natively: what `sparrow eval` (and `sparrow export --beir`)
//! run on a dataset in the BEIR layout.
//!
//! * [`beir`]: loading a dataset (corpus, queries, qrels), keeping what it can use and counting
//!   what it leaves out ([`beir::InputReport`]);
//! * [`metrics`]: nDCG@10, Recall@100, MRR@10 with `trec_eval`'s conventions (the only
//!   implementation in the repository);
//! * [`vectors`]: a model variant, and the corpus encoded with it, cached on disk;
//! * [`lookup`]: the query side of the sparse arm (the model, the core's lookup query, the
//!   candidate tables it was chosen from); [`exact`]: the float what-if of the sparse arm;
//! * [`run`]: the index of a dataset, one run of every query, and its typed [`RunReport`] with one
//!   table renderer ([`render_table`]); [`runfile`]: runs as files (TREC or JSON);
//! * [`significance`]: whether a difference from a baseline run is more than the queries' noise
//!   (paired randomization test, bootstrap interval);
//! * [`tune`]: the grid search of BM25 and fusion, fusing through the core's own fusion.
//!
//! Printing is the caller's: long steps report through [`Progress`], results are values.

mod error;
pub(crate) use error::bail;

pub mod beir;
pub mod exact;
pub mod lookup;
pub mod metrics;
pub mod run;
pub mod runfile;
pub mod significance;
pub mod tune;
pub mod vectors;

pub use error::{EvalError, Result};
pub use run::{build_index, render_table, run_queries, IndexWhatIf, RunReport, RunSpec, DEPTH};

/// Where a long evaluation step reports what it is doing: the CLI prints lines and draws a
/// progress bar; tests and library callers can stay quiet ([`Quiet`]).
pub trait Progress: Sync {
    /// A line about what happened (a cache hit, how long encoding took, a grid's progress).
    fn note(&self, line: &str);
    /// A counted step begins (`total` items), e.g. encoding a corpus.
    fn start(&self, _label: &str, _total: u64) {}
    /// `n` more items of the current step are done.
    fn advance(&self, _n: u64) {}
    /// The counted step is over.
    fn finish(&self) {}
}

/// A [`Progress`] that says nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn note(&self, _line: &str) {}
}
