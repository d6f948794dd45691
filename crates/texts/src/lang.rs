//! The languages tims speaks, and how a request says which it wants.
//!
//! Owns [`Lang`] and reading it from an `Accept-Language` header or the
//! value of a language cookie. It must not know cookies' names or HTTP
//! types: callers pass header and cookie values as text.

/// A language tims's texts are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Sw,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Sw];

    /// The BCP 47 tag, for `<html lang>` and a language cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sw => "sw",
        }
    }

    /// The language's name in itself, for a language switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Sw => "Kiswahili",
        }
    }

    /// A tag (`sw`, `sw-KE`, `EN-gb`) as a language, if tims speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "sw" => Some(Lang::Sw),
            _ => None,
        }
    }

    /// The language an `Accept-Language` header prefers most among those
    /// tims speaks (weights honoured, ties to the earlier), else English.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(u16, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else { continue };
            let q = parts.find_map(|p| p.trim().strip_prefix("q=")).map_or(1000, quality);
            if q > 0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, l)| l)
    }

    /// The language chosen by a person (their cookie's value) if any and
    /// known, else the one their browser asks for.
    pub fn choose(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        cookie.and_then(Lang::from_tag).unwrap_or_else(|| accept_language.map_or(Lang::En, Lang::from_accept_language))
    }
}

/// A `q` value in thousandths; a malformed one counts as 0 (not wanted).
fn quality(raw: &str) -> u16 {
    let raw = raw.trim();
    match raw.split_once('.') {
        None => raw.parse::<u16>().map_or(0, |w| if w >= 1 { 1000 } else { 0 }),
        Some((w, frac)) => {
            let frac: String = frac.chars().chain("000".chars()).take(3).collect();
            match (w, frac.parse::<u16>()) {
                ("0", Ok(f)) => f,
                ("1", Ok(_)) => 1000,
                _ => 0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browsers_preferred_language_among_ours_is_chosen() {
        assert_eq!(Lang::from_accept_language("sw-KE,sw;q=0.9,en;q=0.8"), Lang::Sw);
        assert_eq!(Lang::from_accept_language("fr-FR, en-GB;q=0.5, sw;q=0.7"), Lang::Sw);
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9,sw;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr, de"), Lang::En);
        assert_eq!(Lang::from_accept_language("sw;q=0, en;q=0.1"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(Lang::from_accept_language("sw;q=abc"), Lang::En);
    }

    #[test]
    fn a_chosen_language_wins_over_the_browsers() {
        assert_eq!(Lang::choose(Some("sw"), Some("en")), Lang::Sw);
        assert_eq!(Lang::choose(Some("xx"), Some("sw")), Lang::Sw);
        assert_eq!(Lang::choose(None, None), Lang::En);
        for l in Lang::ALL {
            assert_eq!(Lang::from_tag(l.tag()), Some(l));
        }
    }
}
