//! Canonical JSON and byte encodings. Every published object (ballot, board, record) has exactly
//! one byte form: the compact serde_json output of its struct, fields in declaration order, bytes
//! as unpadded base64url. Parsing re-serialises and compares, so two texts that decode to the same
//! values (spaces, key order, escapes, non-canonical base64) cannot both be accepted: any changed
//! byte either fails to parse or changes a value that a hash or a proof covers.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Why a byte string is not the canonical form of the expected object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// Larger than the bound for this object.
    #[error("dữ liệu quá lớn: {len} byte, tối đa {max}")]
    TooLarge {
        /// Bytes received.
        len: usize,
        /// Bound.
        max: usize,
    },
    /// Not valid JSON for the object (the message says where).
    #[error("dữ liệu không đúng định dạng: {0}")]
    Malformed(String),
    /// Valid, but not written in the one canonical form.
    #[error("dữ liệu không ở dạng chuẩn (đã bị sửa hoặc định dạng lại)")]
    NotCanonical,
}

/// The canonical bytes of `value`.
pub fn to_canonical<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain structs of strings, numbers and vectors cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

/// Parses `bytes` (at most `max` long) and checks they are the canonical form of the value.
pub fn from_canonical<T: Serialize + DeserializeOwned>(
    bytes: &[u8],
    max: usize,
) -> Result<T, CodecError> {
    if bytes.len() > max {
        return Err(CodecError::TooLarge {
            len: bytes.len(),
            max,
        });
    }
    let value: T =
        serde_json::from_slice(bytes).map_err(|e| CodecError::Malformed(e.to_string()))?;
    if to_canonical(&value) != bytes {
        return Err(CodecError::NotCanonical);
    }
    Ok(value)
}

/// SHA-256 of `parts`, each prefixed with its length (so no two splits hash alike).
pub fn hash_parts(domain: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update((domain.len() as u64).to_be_bytes());
    h.update(domain);
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// Plain SHA-256.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Unpadded base64url of `bytes`.
pub fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes unpadded base64url.
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

/// Lower-case hex of `bytes` (hashes are shown and compared as hex).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Parses exactly 64 lower-case hex digits.
pub fn unhex32(text: &str) -> Option<[u8; 32]> {
    let t = text.as_bytes();
    if t.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (digit(t[2 * i])? << 4) | digit(t[2 * i + 1])?;
    }
    Some(out)
}

/// Serde for `Vec<u8>` as base64url.
pub mod b64_vec {
    use super::*;

    /// Serialises.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&b64(v))
    }

    /// Deserialises.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        unb64(&text).ok_or_else(|| serde::de::Error::custom("base64url không hợp lệ"))
    }
}

/// Serde for `[u8; 32]` as base64url.
pub mod b64_32 {
    use super::*;

    /// Serialises.
    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&b64(v))
    }

    /// Deserialises.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let bytes = b64_vec::deserialize(d)?;
        bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom("cần đúng 32 byte"))
    }
}

/// Serde for `[u8; 32]` as hex (hashes a person reads or compares).
pub mod hex_32 {
    use super::*;

    /// Serialises.
    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex(v))
    }

    /// Deserialises.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        unhex32(&text).ok_or_else(|| serde::de::Error::custom("cần 64 chữ số hex thường"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct T {
        a: u32,
        #[serde(with = "b64_vec")]
        b: Vec<u8>,
    }

    #[test]
    fn canonical_round_trip_and_rejections() {
        let t = T {
            a: 7,
            b: vec![1, 2, 3],
        };
        let bytes = to_canonical(&t);
        assert_eq!(from_canonical::<T>(&bytes, 100).unwrap(), t);
        // Same values, other spelling: refused.
        let spaced = br#"{"a": 7,"b":"AQID"}"#;
        assert_eq!(
            from_canonical::<T>(spaced, 100),
            Err(CodecError::NotCanonical)
        );
        let reordered = br#"{"b":"AQID","a":7}"#;
        assert_eq!(
            from_canonical::<T>(reordered, 100),
            Err(CodecError::NotCanonical)
        );
        assert!(matches!(
            from_canonical::<T>(&bytes, 3),
            Err(CodecError::TooLarge { .. })
        ));
    }

    #[test]
    fn hex_round_trip() {
        let h = sha256(b"x");
        assert_eq!(unhex32(&hex(&h)), Some(h));
        assert_eq!(unhex32(&hex(&h).to_uppercase()), None);
        // Length-prefixed parts: moving a byte between parts changes the hash.
        assert_ne!(
            hash_parts(b"d", &[b"ab", b"c"]),
            hash_parts(b"d", &[b"a", b"bc"])
        );
    }
}
