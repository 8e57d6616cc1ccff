//! `sparrow`: the native command line. Owns files, progress bars and `anyhow`; the work is done
//! by `sparrow-core` and `sparrow-encoder`. Each subcommand lives in its own module under `cmd/`.

use clap::{Parser, Subcommand};

mod cmd;

/// Sparrow: in-browser hybrid search (BM25 + learned-sparse SPLADE), native tools.
#[derive(Debug, Parser)]
#[command(name = "sparrow", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Encode a text with the SPLADE model and print its top expansion terms.
    Encode(cmd::encode::EncodeArgs),
    /// Evaluate quality (nDCG@10, Recall@100, MRR@10) and latency on a BEIR dataset; score run
    /// files; tune BM25 and fusion.
    Eval(Box<cmd::eval::EvalArgs>),
    /// Build a static site's search index from its HTML (sections at headings, encoded on every
    /// core) into a manifest plus content-hashed shards.
    Index(cmd::index::IndexArgs),
    /// Export documents and their learned-sparse vectors to Elasticsearch, OpenSearch or
    /// Anserini (Lucene): index settings, bulk files, query examples and topics.
    Export(Box<cmd::export::ExportArgs>),
    /// Print the search request body for a query, with its sparse vector from the model or the
    /// lookup table, for Elasticsearch, OpenSearch or Anserini. With --index or --beir, the
    /// weights Sparrow scores (the model's expansion times the index's IDF); without, the model's
    /// expansion as it is.
    QueryVector(Box<cmd::export::QueryVectorArgs>),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Encode(args) => cmd::encode::run(&args),
        Command::Eval(args) => cmd::eval::run(&args),
        Command::Index(args) => cmd::index::run(&args),
        Command::Export(args) => cmd::export::run(&args),
        Command::QueryVector(args) => cmd::export::query_vector(&args),
    }
}
