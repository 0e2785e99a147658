//! DKIM key records (RFC 6376 §3.6.1; Ed25519 keys from RFC 8463).
//!
//! The key material goes through mail-auth, the loader its verifier uses: "does not load"
//! here means a verifier cannot use the key, and the RSA size is read from the decoded key.
//! The tags around it (`v`, `k`, `h`, `s`, `t`) are read over [`TagList`] because mail-auth
//! keeps only bit flags of them and cannot say which tag is wrong.

use std::fmt;

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;

use crate::taglist::{TagError, TagList};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Rsa {
        bits: usize,
    },
    Ed25519,
    /// `p=` empty: the owner withdrew the key (RFC 6376 §3.6.1).
    Revoked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub key: Key,
    /// `h=`: the hash algorithms the key may sign with, lower-case; `None` allows all.
    pub hashes: Option<Vec<String>>,
    /// `t=y`: the domain is testing DKIM; verifiers treat its signatures like none.
    pub testing: bool,
}

/// RSA keys shorter than this are refused by verifiers (RFC 8301 §3.2).
pub const MIN_RSA_BITS: usize = 1024;
/// RFC 8301 §3.2 requires verifiers to handle RSA keys up to this size, no larger.
pub const MAX_RSA_BITS: usize = 4096;

/// Whether verifiers check signatures with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Usability {
    Usable,
    /// Some verifiers may not: why.
    Doubtful(String),
    /// None will: why.
    Unusable(String),
}

impl KeyRecord {
    /// Whether verifiers check signatures with this key: not revoked, not too short, with a
    /// hash they accept; keys over 4096 bits only where verifiers go beyond RFC 8301.
    pub fn usability(&self) -> Usability {
        if let Key::Revoked = self.key {
            return Usability::Unusable("the key is revoked (empty p=)".into());
        }
        if let Key::Rsa { bits } = self.key
            && bits < MIN_RSA_BITS
        {
            return Usability::Unusable(format!(
                "an RSA key of {bits} bits, and verifiers refuse keys under {MIN_RSA_BITS} \
                 (RFC 8301 §3.2)"
            ));
        }
        if let Some(hashes) = &self.hashes
            && !hashes.iter().any(|h| h == "sha256")
        {
            return Usability::Unusable(format!(
                "h={} allows no hash verifiers accept: they know sha256 only and must refuse \
                 rsa-sha1 (RFC 8301 §3.1)",
                hashes.join(":")
            ));
        }
        match self.key {
            Key::Rsa { bits } if bits > MAX_RSA_BITS => Usability::Doubtful(format!(
                "an RSA key of {bits} bits: verifiers need handle keys up to {MAX_RSA_BITS} \
                 bits only (RFC 8301 §3.2), so some will not check its signatures"
            )),
            _ => Usability::Usable,
        }
    }

    pub fn usable(&self) -> bool {
        self.usability() == Usability::Usable
    }
}

/// Why a TXT record at a selector gives verifiers no usable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    Syntax(TagError),
    /// `v=` present but not `DKIM1`, or not first.
    Version(TagError),
    /// `k=` names an algorithm verifiers do not know.
    UnsupportedType(TagError),
    /// No `p=` tag at all.
    NoKey,
    /// `p=` does not decode to a key of the `k=` type.
    BadKey(String),
    /// `s=` excludes email.
    NotForEmail(TagError),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Syntax(e) => write!(f, "syntax error at {e}"),
            KeyError::Version(e) => write!(f, "{e}"),
            KeyError::UnsupportedType(e) => write!(f, "{e}"),
            KeyError::NoKey => f.write_str("the record has no p= tag"),
            KeyError::BadKey(reason) => write!(f, "the key in p= does not load: {reason}"),
            KeyError::NotForEmail(e) => write!(f, "{e}"),
        }
    }
}

impl KeyError {
    /// Where in the record the problem is, when it is one tag.
    pub fn tag(&self) -> Option<&TagError> {
        match self {
            KeyError::Syntax(e)
            | KeyError::Version(e)
            | KeyError::UnsupportedType(e)
            | KeyError::NotForEmail(e) => Some(e),
            KeyError::NoKey | KeyError::BadKey(_) => None,
        }
    }
}

/// A TXT record meant as a DKIM key: it starts with `v=DKIM1` or has a `p=` tag. Anything
/// else at a selector name (a wildcard SPF record, say) is not a key.
pub fn looks_like_key(text: &str) -> bool {
    let list = TagList::parse(text);
    list.get("p").is_some()
        || list
            .tags
            .first()
            .is_some_and(|t| t.name == "v" && t.value.to_ascii_uppercase().starts_with("DKIM"))
}

impl KeyRecord {
    pub fn parse(text: &str) -> Result<KeyRecord, KeyError> {
        let list = TagList::parse(text);
        if let Some(e) = list.errors.first() {
            return Err(KeyError::Syntax(e.clone()));
        }
        if let Some(v) = list.get("v") {
            if v.value != "DKIM1" {
                return Err(KeyError::Version(TagError::at(
                    v,
                    "the version must be DKIM1",
                )));
            }
            if list.tags.first().is_some_and(|t| t.name != "v") {
                return Err(KeyError::Version(TagError::at(
                    v,
                    "v= must be the first tag when present",
                )));
            }
        }
        let ed25519 = match list.get("k") {
            None => false,
            Some(k) if k.value.eq_ignore_ascii_case("rsa") => false,
            Some(k) if k.value.eq_ignore_ascii_case("ed25519") => true,
            Some(k) => {
                return Err(KeyError::UnsupportedType(TagError::at(
                    k,
                    "verifiers know k=rsa and k=ed25519 only",
                )));
            }
        };
        if let Some(s) = list.get("s")
            && !s
                .value
                .split(':')
                .any(|v| v.trim() == "*" || v.trim().eq_ignore_ascii_case("email"))
        {
            return Err(KeyError::NotForEmail(TagError::at(
                s,
                "the key is restricted to services other than email (s=email or s=* allow it)",
            )));
        }
        let p = list.get("p").ok_or(KeyError::NoKey)?;
        let key = if p.value.chars().all(char::is_whitespace) {
            Key::Revoked
        } else {
            match DomainKey::parse(text.as_bytes()) {
                Ok(_) if ed25519 => Key::Ed25519,
                Ok(loaded) => Key::Rsa {
                    bits: loaded.p.public_key_bits(),
                },
                // v= and p= were checked above, so mail-auth's "not a key record" means the
                // base64 in p= did not decode.
                Err(mail_auth::Error::Dns(_)) => {
                    return Err(KeyError::BadKey("p= is not valid base64".into()));
                }
                Err(e) => return Err(KeyError::BadKey(e.to_string())),
            }
        };
        let list_of = |name: &str| {
            list.get(name).map(|t| {
                t.value
                    .split(':')
                    .map(|v| v.trim().to_ascii_lowercase())
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>()
            })
        };
        Ok(KeyRecord {
            key,
            hashes: list_of("h"),
            testing: list_of("t").is_some_and(|flags| flags.iter().any(|f| f == "y")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Public halves of fixtures/dkim/ (see generate.sh there).
    const RSA512: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAORwDtQJgKPbeSEVlLK9sAET8Tb1DYNNcnK22NkLwLwbxK3+vb7yja7FxoGE5AxfFo2yvuGRLaI7gWV6oOvQ9w8CAwEAAQ==";
    const RSA1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC8Lu1K3zsC4JChMjlGkH9q2RK/3FYwBXmyhehOBfVa82dneHXR+cJOV1IGxzV3dskEh3pi+0G83pc519nTeiycj3ei2yM8FksZpVj2YCJzCakw5FZX9OrUW/TJUqxHktwwEZ6SymkVt0U1C1YN5iHDqF+yeol1WkegKQex81G8awIDAQAB";
    const ED25519: &str = "1gkPA2ugikUTNZStIAFFZ0aUmkiOAgKhKKS84Fu8fuo=";

    fn key(text: &str) -> Key {
        KeyRecord::parse(text).unwrap().key
    }

    #[test]
    fn usability_follows_rfc_8301() {
        let usability = |text: &str| KeyRecord::parse(text).unwrap().usability();
        assert_eq!(usability(&format!("p={RSA1024}")), Usability::Usable);
        assert_eq!(
            usability(&format!("h=sha1:sha256; p={RSA1024}")),
            Usability::Usable
        );
        for h in ["sha1", "md5", "sha512"] {
            assert!(
                matches!(usability(&format!("h={h}; p={RSA1024}")), Usability::Unusable(why) if why.contains(&format!("h={h}"))),
                "{h}"
            );
        }
        assert!(matches!(
            usability(&format!("p={RSA512}")),
            Usability::Unusable(why) if why.contains("512 bits")
        ));
        assert!(matches!(usability("p="), Usability::Unusable(why) if why.contains("revoked")));
        assert_eq!(
            usability(&format!("k=ed25519; p={ED25519}")),
            Usability::Usable
        );
    }

    #[test]
    fn key_sizes_come_from_the_key() {
        assert_eq!(
            key(&format!("v=DKIM1; k=rsa; p={RSA512}")),
            Key::Rsa { bits: 512 }
        );
        assert_eq!(key(&format!("p={RSA1024}")), Key::Rsa { bits: 1024 });
        // Whitespace inside p= (split strings, zone-file line breaks) is allowed.
        let (a, b) = RSA1024.split_at(40);
        assert_eq!(key(&format!("v=DKIM1; p={a} {b}")), Key::Rsa { bits: 1024 });
        assert_eq!(
            key(&format!("v=DKIM1; k=ed25519; p={ED25519}")),
            Key::Ed25519
        );
        assert_eq!(key("v=DKIM1; k=rsa; p="), Key::Revoked);
    }

    #[test]
    fn flags() {
        let r = KeyRecord::parse(&format!("v=DKIM1; h=sha1; t=y:s; s=email; p={RSA1024}")).unwrap();
        assert_eq!(r.hashes, Some(vec!["sha1".to_string()]));
        assert!(r.testing);
        let r = KeyRecord::parse(&format!("v=DKIM1; t=s; p={RSA1024}")).unwrap();
        assert!(!r.testing);
        assert_eq!(r.hashes, None);
    }

    #[test]
    fn what_verifiers_cannot_use() {
        let err = |text: &str| KeyRecord::parse(text).unwrap_err();
        assert!(matches!(
            err(&format!("v=DKIM2; p={RSA1024}")),
            KeyError::Version(_)
        ));
        assert!(matches!(
            err(&format!("p={RSA1024}; v=DKIM1")),
            KeyError::Version(_)
        ));
        assert!(matches!(
            err(&format!("v=DKIM1; k=dsa; p={RSA1024}")),
            KeyError::UnsupportedType(_)
        ));
        assert!(matches!(
            err(&format!("v=DKIM1; s=tlsrpt; p={RSA1024}")),
            KeyError::NotForEmail(_)
        ));
        assert_eq!(err("v=DKIM1; k=rsa"), KeyError::NoKey);
        assert!(matches!(
            err(&format!("v=DKIM1; p={RSA1024}; p=abc")),
            KeyError::Syntax(_)
        ));
        assert_eq!(
            err("v=DKIM1; p=!!!notbase64!!!"),
            KeyError::BadKey("p= is not valid base64".into())
        );
        // Valid base64, but not an RSA key; and an RSA key labelled ed25519.
        assert!(matches!(
            err("v=DKIM1; p=aGVsbG8gd29ybGQ="),
            KeyError::BadKey(_)
        ));
        assert!(matches!(
            err(&format!("v=DKIM1; k=ed25519; p={RSA1024}")),
            KeyError::BadKey(_)
        ));
    }

    #[test]
    fn recognises_key_records() {
        assert!(looks_like_key("v=DKIM1; p=abc"));
        assert!(looks_like_key("k=rsa; p=abc"));
        assert!(looks_like_key("v=DKIM1; k=rsa"));
        assert!(!looks_like_key("v=spf1 -all"));
        assert!(!looks_like_key("google-site-verification=abc"));
    }
}
