//! DKIM public keys in DNS (RFC 6376 §3.6, RFC 8463): the key record and where to look for it.

pub mod key;
pub mod selectors;

pub use key::{Key, KeyError, KeyRecord};
