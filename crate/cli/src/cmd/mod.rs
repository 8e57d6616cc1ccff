//! One module per subcommand.

pub(crate) mod encode;
pub(crate) mod index;
