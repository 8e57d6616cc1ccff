//! The language guard: which documents the (English-only) model should encode.

use crate::text::floor_char_boundary;

/// Detection looks at the start of the text only: a few KB is plenty for trigram statistics,
/// and it keeps the cost independent of the document's length.
const DETECT_BYTES: usize = 4096;

/// Below this many alphabetic characters a detection is not trusted (the text counts as
/// English): trigram detectors are unreliable on a few words, and short texts (titles, product
/// names) are often English words in any language's documents.
const MIN_LETTERS: usize = 24;

/// The detected language, when the detection is trustworthy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Detection {
    pub(crate) lang: whatlang::Lang,
}

impl Detection {
    /// ISO 639-3 code, e.g. `"eng"`.
    pub(crate) fn code(self) -> &'static str {
        self.lang.code()
    }

    pub(crate) fn is_english(self) -> bool {
        self.lang == whatlang::Lang::Eng
    }
}

/// Detects the language of `text`; `None` when the text is short or the detection unreliable
/// (callers treat that as English).
pub(crate) fn detect(text: &str) -> Option<Detection> {
    let head = &text[..floor_char_boundary(text, DETECT_BYTES)];
    if head.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
        return None;
    }
    let info = whatlang::detect(head)?;
    info.is_reliable().then_some(Detection { lang: info.lang() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_others() {
        let en = detect("The seasons are caused by the tilt of Earth's rotational axis relative to its orbital plane.");
        assert_eq!(en.map(Detection::code), Some("eng"));
        let fr = detect("Les saisons sont causées par l'inclinaison de l'axe de rotation de la Terre par rapport à son plan orbital.");
        assert_eq!(fr.map(Detection::code), Some("fra"));
        let de = detect("Die Jahreszeiten entstehen durch die Neigung der Erdachse gegenüber der Umlaufbahn um die Sonne.");
        assert_eq!(de.map(Detection::code), Some("deu"));
    }

    #[test]
    fn short_text_is_not_detected() {
        assert_eq!(detect("ranking"), None);
        assert_eq!(detect("Bonjour le monde"), None);
        assert_eq!(detect(""), None);
        assert_eq!(detect("12345 67890 !!! 🚀🚀🚀"), None);
    }
}
