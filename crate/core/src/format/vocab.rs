//! Vocabulary files: a [`WordPiece`] vocabulary, sorted and front-coded, ids = ranks (layout in
//! [`crate::format`], "Vocabulary").

use super::read::{header, next_section, Reader};
use super::write::{add_section, framed, string, varint};
use super::*;
use crate::error::{Error, FormatError};
use crate::vocab_parts::VocabPart;
use crate::wordpiece::{WordPiece, WordPieceSettings};

const CLEAN_TEXT: u8 = 1;
const CHINESE: u8 = 2;
const LOWERCASE: u8 = 4;
const STRIP_SET: u8 = 8;
const STRIP: u8 = 16;

/// A part of a vocabulary file (`VocabPart`), not a whole one.
const PART: u8 = 32;

fn write_settings(b: &mut Vec<u8>, s: &WordPieceSettings, part: bool) {
    let mut flags = if part { PART } else { 0 };
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
}

/// Sorted tokens, front-coded: count, then per token the bytes shared with the previous one and
/// the rest.
fn write_tokens<'a>(b: &mut Vec<u8>, count: usize, tokens: impl Iterator<Item = &'a str>) {
    varint(b, count as u64);
    let mut prev = "";
    for t in tokens {
        let shared = prev.bytes().zip(t.bytes()).take_while(|(a, b)| a == b).count();
        // Never cut inside a character: the rest must be valid UTF-8 on its own.
        let shared = (0..=shared).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0);
        varint(b, shared as u64);
        string(b, &t[shared..]);
        prev = t;
    }
}

fn write_ranks(b: &mut Vec<u8>, ranks: &[u32]) {
    varint(b, ranks.len() as u64);
    for &r in ranks {
        varint(b, u64::from(r));
    }
}

pub(crate) fn write(wp: &WordPiece) -> Vec<u8> {
    let mut payload = Vec::new();
    add_section(&mut payload, SECTION_VOCAB, |b| {
        write_settings(b, wp.settings(), false);
        write_tokens(b, wp.len(), wp.sorted_tokens());
        let mut added: Vec<u32> = wp
            .added_tokens()
            .iter()
            .filter_map(|(t, _)| wp.id(t).and_then(|id| wp.rank(id)))
            .collect();
        added.sort_unstable();
        write_ranks(b, &added);
    });
    framed(&VOCAB_MAGIC, &payload)
}

pub(crate) fn write_part(p: &VocabPart) -> Vec<u8> {
    let mut payload = Vec::new();
    add_section(&mut payload, SECTION_VOCAB, |b| {
        write_settings(b, &p.settings, true);
        varint(b, u64::from(p.total));
        b.extend_from_slice(&p.crc.to_le_bytes());
        varint(b, u64::from(p.added_total));
        varint(b, u64::from(p.first_rank));
        b.push(p.leads.0);
        b.push(p.leads.1);
        write_tokens(b, p.tokens.len(), p.tokens.iter().map(String::as_str));
        write_ranks(b, &p.added);
    });
    framed(&VOCAB_MAGIC, &payload)
}

/// The vocabulary section's settings; `true` when it is a part.
fn read_settings(r: &mut Reader<'_>) -> Result<(WordPieceSettings, bool), Error> {
    let flags = r.u8()?;
    if flags & !(CLEAN_TEXT | CHINESE | LOWERCASE | STRIP_SET | STRIP | PART) != 0 {
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
    Ok((settings, flags & PART != 0))
}

fn read_tokens(r: &mut Reader<'_>) -> Result<Vec<String>, Error> {
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
    Ok(tokens)
}

fn invalid_vocab(e: Error) -> Error {
    match e {
        Error::InvalidVocab { reason } => {
            FormatError::corrupt(format!("vocabulary: {reason}")).into()
        }
        other => other,
    }
}

pub(crate) fn read(bytes: &[u8]) -> Result<WordPiece, Error> {
    let payload = header(bytes, &VOCAB_MAGIC)?;
    let mut outer = Reader::new(payload, "payload");
    let mut r = next_section(&mut outer, SECTION_VOCAB, "vocabulary")?;
    let (settings, part) = read_settings(&mut r)?;
    if part {
        return Err(r
            .corrupt("this is a part of a vocabulary (load it as a part: VocabPart::from_bytes)")
            .into());
    }
    let tokens = read_tokens(&mut r)?;
    let n = tokens.len();
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
    WordPiece::from_sorted(settings, tokens, added).map_err(invalid_vocab)
}

pub(crate) fn read_part(bytes: &[u8]) -> Result<VocabPart, Error> {
    let payload = header(bytes, &VOCAB_MAGIC)?;
    let mut outer = Reader::new(payload, "payload");
    let mut r = next_section(&mut outer, SECTION_VOCAB, "vocabulary")?;
    let (settings, part) = read_settings(&mut r)?;
    if !part {
        return Err(r
            .corrupt(
                "this is a whole vocabulary, not a part (load it with WordPiece::from_vocab_bytes)",
            )
            .into());
    }
    let total = u32::try_from(r.varint()?).map_err(|_| r.corrupt("more than 2^32 tokens"))?;
    let crc = r.u32()?;
    let added_total = u32::try_from(r.varint()?).map_err(|_| r.corrupt("added token count"))?;
    let first_rank = u32::try_from(r.varint()?).map_err(|_| r.corrupt("first rank"))?;
    let leads = (r.u8()?, r.u8()?);
    let tokens = read_tokens(&mut r)?;
    let n_added = r.count(1, "added token")?;
    let mut added = Vec::with_capacity(n_added);
    for _ in 0..n_added {
        added.push(r.varint()?);
    }
    r.finish()?;
    outer.finish()?;
    let end = u64::from(first_rank) + tokens.len() as u64;
    if leads.0 > leads.1 || end > u64::from(total) || added_total > total {
        return Err(FormatError::corrupt(format!(
            "vocabulary part: first bytes {:#04x}..={:#04x}, ranks {first_rank}..{end} of {total}",
            leads.0, leads.1
        ))
        .into());
    }
    if let Some(t) =
        tokens.iter().find(|t| !(leads.0..=leads.1).contains(&t.bytes().next().unwrap_or(0)))
    {
        return Err(FormatError::corrupt(format!(
            "vocabulary part: token {t:?} does not start with one of its first bytes {:#04x}..={:#04x}",
            leads.0, leads.1
        ))
        .into());
    }
    if let Some(w) = tokens.windows(2).find(|w| w[0] >= w[1]) {
        return Err(FormatError::corrupt(format!(
            "vocabulary part: tokens {:?} and {:?} are not sorted and unique",
            w[0], w[1]
        ))
        .into());
    }
    let mut ranks = Vec::with_capacity(added.len());
    for rank in added {
        if rank < u64::from(first_rank) || rank >= end {
            return Err(FormatError::corrupt(format!(
                "vocabulary part: added token rank {rank} outside {first_rank}..{end}"
            ))
            .into());
        }
        ranks.push(rank as u32);
    }
    Ok(VocabPart { settings, total, crc, added_total, first_rank, leads, tokens, added: ranks })
}
