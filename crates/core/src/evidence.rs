//! Where evidence lives, as checked types: a stored file named only by its SHA-256, or a
//! link that is an http(s) URL. Nothing else can be an evidence location, so no location
//! can name a path on disk.

use std::fmt;

use sha2::Digest;

/// A SHA-256 digest. Only built from content ([`Sha256::of`]) or from exactly 64 lowercase
/// hexadecimal digits ([`Sha256::parse`]), so it is always safe to use in a path.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256([u8; 32]);

/// Text that is not a SHA-256 in the form crosswalk stores.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{shown}` is not a SHA-256: expected {expected}")]
pub struct InvalidSha256 {
    shown: String,
    expected: &'static str,
}

impl InvalidSha256 {
    fn new(input: &str, expected: &'static str) -> Self {
        let mut shown: String = input.chars().take(80).collect();
        if shown.len() < input.len() {
            shown.push('…');
        }
        Self {
            shown: shown.escape_debug().to_string(),
            expected,
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";
const PREFIX: &str = "sha256:";

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let mut out = [0u8; 32];
        out.copy_from_slice(&sha2::Sha256::digest(bytes));
        Self(out)
    }

    /// A digest computed elsewhere (hashing a stream as it is read).
    pub fn from_digest(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Exactly 64 lowercase hexadecimal digits.
    ///
    /// # Errors
    /// Anything else: other lengths, upper case, a `sha256:` prefix, path separators.
    pub fn parse(s: &str) -> Result<Self, InvalidSha256> {
        let bad = || InvalidSha256::new(s, "64 lowercase hexadecimal digits");
        let b = s.as_bytes();
        if b.len() != 64 {
            return Err(bad());
        }
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let mut out = [0u8; 32];
        for (i, pair) in b.chunks_exact(2).enumerate() {
            match (digit(pair[0]), digit(pair[1])) {
                (Some(hi), Some(lo)) => out[i] = hi << 4 | lo,
                _ => return Err(bad()),
            }
        }
        Ok(Self(out))
    }

    /// An evidence location naming a stored file: `sha256:` and 64 lowercase hex digits.
    ///
    /// # Errors
    /// Anything else (URLs, `sha256:../../x`, …).
    pub fn parse_location(s: &str) -> Result<Self, InvalidSha256> {
        s.strip_prefix(PREFIX)
            .and_then(|hex| Self::parse(hex).ok())
            .ok_or_else(|| {
                InvalidSha256::new(s, "`sha256:` followed by 64 lowercase hexadecimal digits")
            })
    }

    /// The location an evidence item records: `sha256:<hex>`.
    pub fn location(&self) -> String {
        format!("{PREFIX}{self}")
    }

    /// The digest's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = [0u8; 64];
        for (i, b) in self.0.iter().enumerate() {
            s[2 * i] = HEX[usize::from(b >> 4)];
            s[2 * i + 1] = HEX[usize::from(b & 0xf)];
        }
        // Only ASCII hex digits were written.
        f.write_str(std::str::from_utf8(&s).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

impl std::str::FromStr for Sha256 {
    type Err = InvalidSha256;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Sha256 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Text that is not an evidence location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "evidence location `{0}` is neither a stored file (`sha256:` and 64 lowercase hex digits) nor an http(s) URL"
)]
pub struct InvalidLocation(String);

/// Where a piece of evidence is: a file stored by its SHA-256, or an http(s) link.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    File(Sha256),
    Link(String),
}

impl Location {
    /// `sha256:<64 hex>` for a stored file, an `http://` or `https://` URL with a host for
    /// a link; surrounding space is trimmed.
    ///
    /// # Errors
    /// Anything else: other schemes, paths, `sha256:../x`, spaces or control characters.
    pub fn parse(s: &str) -> Result<Self, InvalidLocation> {
        let t = s.trim();
        let bad = || {
            let mut shown: String = t.chars().take(120).collect();
            if shown.len() < t.len() {
                shown.push('…');
            }
            InvalidLocation(shown.escape_debug().to_string())
        };
        if t.starts_with(PREFIX) {
            return Sha256::parse_location(t).map(Self::File).map_err(|_| bad());
        }
        let rest = t
            .strip_prefix("https://")
            .or_else(|| t.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || t.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(bad());
        }
        Ok(Self::Link(t.to_owned()))
    }

    /// The stored file, when the evidence is one.
    pub fn file(&self) -> Option<&Sha256> {
        match self {
            Self::File(sha) => Some(sha),
            Self::Link(_) => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(sha) => write!(f, "{PREFIX}{sha}"),
            Self::Link(url) => f.write_str(url),
        }
    }
}

impl std::str::FromStr for Location {
    type Err = InvalidLocation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Location {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn known_digest_round_trips() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(Sha256::of(b"").to_string(), empty);
        assert_eq!(Sha256::parse(empty).unwrap(), Sha256::of(b""));
        assert_eq!(
            Sha256::parse_location(&format!("sha256:{empty}")).unwrap(),
            Sha256::of(b"")
        );
        assert_eq!(Sha256::of(b"").location(), format!("sha256:{empty}"));
        let json = serde_json::to_string(&Sha256::of(b"")).unwrap();
        assert_eq!(json, format!("\"{empty}\""));
        assert_eq!(
            serde_json::from_str::<Sha256>(&json).unwrap(),
            Sha256::of(b"")
        );
    }

    #[test]
    fn refuses_anything_else() {
        let good = "ab".repeat(32);
        for bad in [
            "",
            "../../x",
            &good[..63],
            &format!("{good}0"),
            &good.to_uppercase(),
            &format!("sha256:{good}"),
            &format!("../{}", &good[3..]),
            &format!("{}é", &good[..62]),
        ] {
            assert!(Sha256::parse(bad).is_err(), "{bad}");
        }
        for bad in ["sha256:../../x", "https://example.org", &good, "sha256:"] {
            let e = Sha256::parse_location(bad).unwrap_err();
            assert!(e.to_string().contains("not a SHA-256"), "{e}");
        }
        assert!(serde_json::from_str::<Sha256>("\"../../x\"").is_err());
    }

    #[test]
    fn locations_are_stored_files_or_http_links() {
        let hex = "ab".repeat(32);
        let file = Location::parse(&format!("sha256:{hex}")).unwrap();
        assert_eq!(file.file().unwrap().to_string(), hex);
        assert_eq!(file.to_string(), format!("sha256:{hex}"));
        let link = Location::parse(" https://e.example/x?y=1 ").unwrap();
        assert_eq!(link.to_string(), "https://e.example/x?y=1");
        for bad in [
            "sha256:../../../outside/secret.txt",
            "file:///etc/passwd",
            "/etc/passwd",
            "https://",
            "https://a b",
            "http://x\u{1b}[2J",
            "javascript:alert(1)",
            "",
        ] {
            assert!(Location::parse(bad).is_err(), "{bad:?}");
        }
        let json = serde_json::to_string(&link).unwrap();
        assert_eq!(json, "\"https://e.example/x?y=1\"");
        assert_eq!(serde_json::from_str::<Location>(&json).unwrap(), link);
        assert!(serde_json::from_str::<Location>("\"sha256:../x\"").is_err());
    }
}
