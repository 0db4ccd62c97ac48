//! The simulation's random streams.

use rand::rngs::Xoshiro256PlusPlus;
use rand::SeedableRng;

/// An independent random stream for one part of the simulation, so that changing how one
/// part draws never moves another's numbers.
pub(crate) fn sub_rng(seed: u64, what: &str, n: u64) -> Xoshiro256PlusPlus {
    let mut h = blake3::Hasher::new();
    h.update(&seed.to_le_bytes());
    h.update(what.as_bytes());
    h.update(&n.to_le_bytes());
    Xoshiro256PlusPlus::from_seed(*h.finalize().as_bytes())
}
