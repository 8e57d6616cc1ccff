//! One module per subcommand.

pub(crate) mod encode;
pub(crate) mod eval;
pub(crate) mod index;
