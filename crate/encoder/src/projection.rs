//! The MLM vocabulary projection fused with SPLADE max pooling, outside tract.
//!
//! For one window with hidden states `h[t]` (the MLM head's output, `H` wide) and the tied
//! decoder `W` (`V x H`) plus `bias` (`V`):
//!
//! ```text
//! w[v] = max over real tokens t of log(1 + relu(h[t] · W[v] + bias[v]))
//!      = log(1 + relu(max over real tokens t of (h[t] · W[v]) + bias[v]))
//! ```
//!
//! since `x → log(1 + relu(x + bias))` is monotonic (and so is its f32 rounding). The
//! `[tokens, V]` logits are never stored: each tile of `T` tokens × `P` vocabulary columns is
//! accumulated in a fixed-size array and folded into a running column max at once. This is ~94%
//! of the model's FLOPs; tract 0.23's wasm GEMM kernel (4×4 tiles) ran it at ~10 GFLOP/s and
//! wrote a `[tokens, 30522]` buffer per window.
//!
//! **Portable kernel** (wasm32 and every native target): safe Rust written for LLVM's
//! auto-vectoriser. The inner loop is `acc[t][j] += h[t] * w[j]` over `[f32; P]` rows, which
//! becomes `f32x4` multiply + add (wasm simd128) or SSE natively, without bounds checks
//! (`chunks_exact` + `zip`). A 4-token × 8-column tile keeps its accumulators (8 × f32x4), one
//! panel row (2) and a broadcast token value in x86-64's 16 vector registers (SSE, and V8's
//! register file for wasm simd128). Stand-alone micro-benchmark (one 256-token window, CPU time,
//! loaded 2-core Xeon): in V8 4×8 and 2×16 were best (~17–22 GFLOP/s, about the simd128 peak
//! without FMA: 2 × f32x4 ops per cycle); 6×8, 3×16, 4×16, 8×4 and 8×8 were slower (spills).
//!
//! **x86-64 with AVX2 + FMA** (detected at run time, so the same native binary runs anywhere):
//! the same generic kernel, instantiated inside a `#[target_feature(enable = "avx2,fma")]`
//! function with a fused multiply-add and 4 tokens × 16 columns (8 × f32x8 accumulators).
//! Same micro-benchmark: 68 GFLOP/s vs 25–28 for the best SSE2 tile. Calling it is the crate's
//! only `unsafe` (guarded by `is_x86_feature_detected!`).

/// Which instantiation of the kernel a projection was packed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// 4 tokens × 8 columns, separate multiply and add; any target.
    Portable,
    /// 4 tokens × 16 columns, fused multiply-add; x86-64 with AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
}

/// Tokens per tile (the accumulators' height), for both kernels.
const TILE_TOKENS: usize = 4;
/// Vocabulary columns per panel (the accumulators' width) of the portable kernel: 2 × f32x4.
const PANEL_PORTABLE: usize = 8;
/// Vocabulary columns per panel of the AVX2 + FMA kernel: 2 × f32x8.
#[cfg(target_arch = "x86_64")]
const PANEL_AVX2: usize = 16;

impl Kernel {
    /// The fastest kernel this CPU runs.
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return Kernel::Avx2Fma;
        }
        Kernel::Portable
    }

    fn panel(self) -> usize {
        match self {
            Kernel::Portable => PANEL_PORTABLE,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2Fma => PANEL_AVX2,
        }
    }
}

/// `W` packed into column panels `[ceil(V / P)][H][P]` (zero-padded) for one kernel, plus the
/// bias.
#[derive(Debug)]
pub(crate) struct VocabProjection {
    kernel: Kernel,
    hidden: usize,
    vocab: usize,
    panels: Vec<f32>,
    bias: Vec<f32>,
}

impl VocabProjection {
    /// `weight` is `vocab x hidden`, row-major (the word-embedding layout: row `v` is `W[v]`).
    pub(crate) fn new(
        kernel: Kernel,
        weight: &[f32],
        bias: Vec<f32>,
        vocab: usize,
        hidden: usize,
    ) -> Self {
        assert_eq!(weight.len(), vocab * hidden, "weight shape");
        assert_eq!(bias.len(), vocab, "bias shape");
        let p = kernel.panel();
        let mut panels = vec![0f32; vocab.div_ceil(p) * hidden * p];
        for (i, panel) in panels.chunks_exact_mut(hidden * p).enumerate() {
            for (j, row) in weight.chunks_exact(hidden).skip(i * p).take(p).enumerate() {
                for (k, &x) in row.iter().enumerate() {
                    panel[k * p + j] = x;
                }
            }
        }
        VocabProjection { kernel, hidden, vocab, panels, bias }
    }

    /// Width of the hidden states this projection takes.
    pub(crate) fn hidden(&self) -> usize {
        self.hidden
    }

    /// Vocabulary size (output width).
    pub(crate) fn vocab(&self) -> usize {
        self.vocab
    }

    /// Pooled SPLADE weights for a batch: `hidden` is `rows x len x H` (row-major), `mask` is
    /// `rows x len` (0 = padding, skipped). Returns `rows x V`, row-major. A row without any
    /// real token gets all zeros.
    pub(crate) fn pool(&self, rows: usize, len: usize, hidden: &[f32], mask: &[i64]) -> Vec<f32> {
        let h = self.hidden;
        assert_eq!(hidden.len(), rows * len * h, "hidden shape");
        assert_eq!(mask.len(), rows * len, "mask shape");
        // Each row's real tokens, transposed into tiles `[tiles][H][TILE_TOKENS]` so the kernel
        // reads one `[f32; TILE_TOKENS]` per k. A last partial tile repeats its first token:
        // duplicates do not change a max.
        let tiles: Vec<Vec<f32>> = (0..rows)
            .map(|r| {
                let tokens: Vec<&[f32]> = hidden[r * len * h..(r + 1) * len * h]
                    .chunks_exact(h)
                    .zip(&mask[r * len..(r + 1) * len])
                    .filter(|(_, &m)| m != 0)
                    .map(|(t, _)| t)
                    .collect();
                let mut packed = vec![0f32; tokens.len().div_ceil(TILE_TOKENS) * h * TILE_TOKENS];
                for (tile, group) in
                    packed.chunks_exact_mut(h * TILE_TOKENS).zip(tokens.chunks(TILE_TOKENS))
                {
                    for t in 0..TILE_TOKENS {
                        let token = group.get(t).unwrap_or(&group[0]);
                        for (k, &x) in token.iter().enumerate() {
                            tile[k * TILE_TOKENS + t] = x;
                        }
                    }
                }
                packed
            })
            .collect();

        let padded = self.panels.len() / h;
        let mut max = vec![f32::NEG_INFINITY; rows * padded];
        match self.kernel {
            Kernel::Portable => {
                max_logits::<PANEL_PORTABLE, Separate>(&self.panels, h, &tiles, padded, &mut max)
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2Fma => {
                // SAFETY: `Kernel::Avx2Fma` is only chosen by `Kernel::detect` after
                // `is_x86_feature_detected!` found both AVX2 and FMA on this CPU (or by the tests,
                // under the same check), which is all `max_logits_avx2_fma` requires.
                #[allow(unsafe_code)]
                unsafe {
                    max_logits_avx2_fma(&self.panels, h, &tiles, padded, &mut max)
                }
            }
        }

        let mut out = Vec::with_capacity(rows * self.vocab);
        for row in max.chunks_exact(padded) {
            out.extend(row[..self.vocab].iter().zip(&self.bias).map(|(&m, &b)| {
                let x = m + b;
                let x = if x > 0.0 { x } else { 0.0 };
                (1.0 + x).ln()
            }));
        }
        out
    }
}

/// `a * b + c`, rounded once or twice.
trait MulAdd {
    fn mul_add(a: f32, b: f32, c: f32) -> f32;
}

/// Multiply, then add (what simd128 and SSE have; `f32::mul_add` would be a libm call).
struct Separate;

impl MulAdd for Separate {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
}

/// Fused multiply-add (`vfmadd` under the `fma` target feature).
#[cfg(target_arch = "x86_64")]
struct Fused;

#[cfg(target_arch = "x86_64")]
impl MulAdd for Fused {
    #[inline(always)]
    fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}

/// The AVX2 + FMA instantiation: the generic kernel compiled with those target features.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn max_logits_avx2_fma(
    panels: &[f32],
    h: usize,
    tiles: &[Vec<f32>],
    padded: usize,
    max: &mut [f32],
) {
    max_logits::<PANEL_AVX2, Fused>(panels, h, tiles, padded, max);
}

/// `max[r * padded + v] = max over row r's tokens of h[t] · W[v]`, panel by panel.
///
/// Panel-outer: one panel (`H x P` f32, 4–8 KiB at H = 128) stays in L1 for every token of
/// every row, so W is read from memory once per batch.
#[inline(always)]
fn max_logits<const P: usize, M: MulAdd>(
    panels: &[f32],
    h: usize,
    tiles: &[Vec<f32>],
    padded: usize,
    max: &mut [f32],
) {
    for (p, panel) in panels.chunks_exact(h * P).enumerate() {
        for (r, row_tiles) in tiles.iter().enumerate() {
            let mut colmax = [f32::NEG_INFINITY; P];
            for tile in row_tiles.chunks_exact(h * TILE_TOKENS) {
                tile_max::<P, M>(panel, tile, &mut colmax);
            }
            max[r * padded + p * P..][..P].copy_from_slice(&colmax);
        }
    }
}

/// `colmax[j] = max(colmax[j], max over the tile's tokens t of h[t] · W[:, j])` for one panel.
/// `panel` is `[H][P]`, `tile` is `[H][TILE_TOKENS]`.
#[inline(always)]
fn tile_max<const P: usize, M: MulAdd>(panel: &[f32], tile: &[f32], colmax: &mut [f32; P]) {
    let mut acc = [[0f32; P]; TILE_TOKENS];
    for (w, x) in panel.chunks_exact(P).zip(tile.chunks_exact(TILE_TOKENS)) {
        let (Ok(w), Ok(x)) = (<&[f32; P]>::try_from(w), <&[f32; TILE_TOKENS]>::try_from(x)) else {
            continue; // unreachable: chunks_exact
        };
        for (acc, &xt) in acc.iter_mut().zip(x) {
            for (a, &wj) in acc.iter_mut().zip(w) {
                *a = M::mul_add(xt, wj, *a);
            }
        }
    }
    for acc in &acc {
        for (m, &a) in colmax.iter_mut().zip(acc) {
            // A select, not `f32::max` (maxNum's NaN rules cost extra instructions in wasm);
            // the caller rejects non-finite hidden states, and W is checked at load.
            *m = if a > *m { a } else { *m };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, token by token, in f64.
    fn naive(w: &[f32], b: &[f32], v: usize, h: usize, hid: &[f32], mask: &[i64]) -> Vec<f32> {
        let len = mask.len();
        (0..v)
            .map(|j| {
                let mut best = f64::NEG_INFINITY;
                for t in (0..len).filter(|&t| mask[t] != 0) {
                    let dot: f64 =
                        (0..h).map(|k| f64::from(hid[t * h + k]) * f64::from(w[j * h + k])).sum();
                    best = best.max(dot + f64::from(b[j]));
                }
                (1.0 + best.max(0.0)).ln() as f32
            })
            .collect()
    }

    /// Every kernel this machine runs (the portable one always).
    fn kernels() -> Vec<Kernel> {
        let mut k = vec![Kernel::Portable];
        if Kernel::detect() != Kernel::Portable {
            k.push(Kernel::detect());
        }
        k
    }

    fn rand(n: usize, seed: &mut u64) -> Vec<f32> {
        (0..n)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn fused_pooling_matches_the_definition() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        // Odd sizes: partial panels, partial tiles, padding in the middle and at the end.
        for (v, h, len) in [(37, 5, 9), (8, 16, 6), (53, 12, 1), (100, 7, 13)] {
            let w = rand(v * h, &mut seed);
            let b = rand(v, &mut seed);
            let rows = 3;
            let hid = rand(rows * len * h, &mut seed);
            let mut mask = vec![1i64; rows * len];
            mask[len - 1] = 0; // row 0: trailing padding (when len > 1, else an empty row)
            mask[len + len / 2] = 0; // row 1: a hole
            for kernel in kernels() {
                let proj = VocabProjection::new(kernel, &w, b.clone(), v, h);
                let out = proj.pool(rows, len, &hid, &mask);
                assert_eq!(out.len(), rows * v);
                for r in 0..rows {
                    let want = naive(
                        &w,
                        &b,
                        v,
                        h,
                        &hid[r * len * h..(r + 1) * len * h],
                        &mask[r * len..(r + 1) * len],
                    );
                    for (j, (&got, &want)) in out[r * v..(r + 1) * v].iter().zip(&want).enumerate()
                    {
                        assert!(
                            (got - want).abs() <= 1e-5,
                            "{kernel:?} v={v} h={h} row {r} col {j}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
