//! Vocabulary files: a [`WordPiece`] vocabulary, sorted and front-coded, ids = ranks (layout in
//! [`crate::format`], "Vocabulary").

use super::read::{header, next_section, Reader};
use super::write::{add_section, framed, string, varint};
use super::*;
use crate::error::{Error, FormatError};
use crate::wordpiece::{WordPiece, WordPieceSettings};

const CLEAN_TEXT: u8 = 1;
const CHINESE: u8 = 2;
const LOWERCASE: u8 = 4;
const STRIP_SET: u8 = 8;
const STRIP: u8 = 16;

pub(crate) fn write(wp: &WordPiece) -> Vec<u8> {
    let s = wp.settings();
    let mut payload = Vec::new();
    add_section(&mut payload, SECTION_VOCAB, |b| {
        let mut flags = 0;
        for (on, bit) in [
            (s.clean_text, CLEAN_TEXT),
            (s.handle_chinese_chars, CHINESE),
            (s.lowercase, LOWERCASE),
            (s.strip_accents.is_some(), STRIP_SET),
            (s.strip_accents == Some(true), STRIP),
        ] {
            if on {
                flags |= bit;
            }
        }
        b.push(flags);
        string(b, &s.unk_token);
        string(b, &s.continuing_subword_prefix);
        varint(b, s.max_input_chars_per_word as u64);
        varint(b, wp.len() as u64);
        let mut prev = "";
        for t in wp.sorted_tokens() {
            let shared = prev.bytes().zip(t.bytes()).take_while(|(a, b)| a == b).count();
            // Never cut inside a character: the rest must be valid UTF-8 on its own.
            let shared = (0..=shared).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0);
            varint(b, shared as u64);
            string(b, &t[shared..]);
            prev = t;
        }
        let mut added: Vec<u32> = wp
            .added_tokens()
            .iter()
            .filter_map(|(t, _)| wp.id(t).and_then(|id| wp.rank(id)))
            .collect();
        added.sort_unstable();
        varint(b, added.len() as u64);
        for r in added {
            varint(b, u64::from(r));
        }
    });
    framed(&VOCAB_MAGIC, &payload)
}

pub(crate) fn read(bytes: &[u8]) -> Result<WordPiece, Error> {
    let payload = header(bytes, &VOCAB_MAGIC)?;
    let mut outer = Reader::new(payload, "payload");
    let mut r = next_section(&mut outer, SECTION_VOCAB, "vocabulary")?;
    let flags = r.u8()?;
    if flags & !(CLEAN_TEXT | CHINESE | LOWERCASE | STRIP_SET | STRIP) != 0 {
        return Err(r.corrupt(format_args!("unknown vocabulary flags {flags:#04x}")).into());
    }
    let unk_token = r.string("unknown token")?.to_owned();
    let continuing_subword_prefix = r.string("continuing prefix")?.to_owned();
    let max_input_chars_per_word = usize::try_from(r.varint()?).unwrap_or(usize::MAX);
    let settings = WordPieceSettings {
        clean_text: flags & CLEAN_TEXT != 0,
        handle_chinese_chars: flags & CHINESE != 0,
        lowercase: flags & LOWERCASE != 0,
        strip_accents: (flags & STRIP_SET != 0).then_some(flags & STRIP != 0),
        unk_token,
        continuing_subword_prefix,
        max_input_chars_per_word,
    };
    // A token takes at least 2 bytes (shared count, rest length).
    let n = r.count(2, "token")?;
    let mut tokens: Vec<String> = Vec::with_capacity(n);
    for i in 0..n {
        let shared = r.varint()?;
        let prev = tokens.last().map_or("", String::as_str);
        if shared > prev.len() as u64 || !prev.is_char_boundary(shared as usize) {
            return Err(r
                .corrupt(format_args!("token {i} shares {shared} bytes of the previous one"))
                .into());
        }
        let mut t = prev[..shared as usize].to_owned();
        t.push_str(r.string("token")?);
        tokens.push(t);
    }
    let n_added = r.count(1, "added token")?;
    let mut added = Vec::with_capacity(n_added);
    for _ in 0..n_added {
        let rank = r.varint()?;
        let token = tokens
            .get(usize::try_from(rank).unwrap_or(usize::MAX))
            .ok_or_else(|| r.corrupt(format_args!("added token rank {rank} of {n} tokens")))?;
        added.push((token.clone(), rank as u32));
    }
    r.finish()?;
    outer.finish()?;
    WordPiece::from_sorted(settings, tokens, added).map_err(|e| match e {
        Error::InvalidVocab { reason } => {
            FormatError::corrupt(format!("vocabulary: {reason}")).into()
        }
        other => other,
    })
}
