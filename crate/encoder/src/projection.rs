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
//!
//! **wasm32 with simd128, int8 decoder** (issue 17): the f32 kernel is at simd128's peak without
//! FMA, so the int8 model's decoder is kept as integers instead. Each token's hidden state is
//! quantized to i16 with its own scale, and `i32x4.dot_i16x8_s` does 8 multiply-adds per
//! instruction where the f32 kernel needs 2 instructions for 4 (standard simd128: Safari runs it
//! too, unlike relaxed-SIMD FMA). The sums are exact i32; [`int16_reference`] is the arithmetic
//! in plain Rust, tested against the definition, and `tests/wasm/parity.test.mjs` checks the wasm
//! vectors against the native (dequantized f32) encoder term by term.
//!
//! **wasm32 with relaxed-SIMD** (the package's second build of the full module, issue 17): the
//! same integer scheme on `i32x4.relaxed_dot_i8x16_i7x16_add_s`, 16 multiply-adds and the
//! accumulation in one instruction; its second operand must be 7-bit to be exact everywhere, so
//! tokens are quantized to 14 bits and split in two 7-bit halves ([`relaxed`]); the f32 kernel's
//! tiles use `f32x4.relaxed_madd` there. In Chromium 156 that build encodes ~1.2× faster than the
//! simd128 one (int8 and f32); Node 20's V8 (only with `--experimental-wasm-relaxed-simd`) runs
//! it slower than the simd128 build (docs/BENCHMARKS.md).

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
    /// The integer form of an int8 decoder, used instead of `panels` where it is faster
    /// (wasm32 with simd128: [`int16`]; with relaxed-SIMD too: [`relaxed`]).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    integer: Option<IntegerProjection>,
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
        VocabProjection {
            kernel,
            hidden,
            vocab,
            panels,
            bias,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            integer: None,
        }
    }

    /// An int8 decoder (`W = scale x q`, zero point 0): on wasm32 with simd128 it is kept as
    /// integers and run by [`int16`]'s kernel (`i32x4.dot_i16x8_s`, 8 multiply-adds per
    /// instruction against the f32 kernel's 4 per 2); elsewhere it is dequantized for the f32
    /// kernels (natively the AVX2 + FMA one; an integer kernel there is not measured).
    pub(crate) fn new_int8(
        q: &[i8],
        scale: f32,
        bias: Vec<f32>,
        vocab: usize,
        hidden: usize,
    ) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if let Some(integer) = IntegerProjection::new(q, scale, vocab, hidden) {
            return VocabProjection {
                kernel: Kernel::Portable,
                hidden,
                vocab,
                panels: Vec::new(),
                bias,
                integer: Some(integer),
            };
        }
        let weight: Vec<f32> = q.iter().map(|&x| f32::from(x) * scale).collect();
        VocabProjection::new(Kernel::detect(), &weight, bias, vocab, hidden)
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
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if let Some(integer) = &self.integer {
            let max = integer.max_logits(rows, len, hidden, mask);
            return self.finish(&max, integer.padded());
        }
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
                #[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
                let tile = tile_max_relaxed_madd;
                #[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
                let tile = tile_max::<PANEL_PORTABLE, Separate>;
                max_logits(&self.panels, h, &tiles, padded, &mut max, tile)
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

        self.finish(&max, padded)
    }

    /// `log(1 + relu(max + bias))` of each row's column maxima (`padded` columns per row).
    fn finish(&self, max: &[f32], padded: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(max.len() / padded.max(1) * self.vocab);
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

/// The integer kernel's arithmetic, in plain Rust: each token's hidden state is quantized to
/// i16 with its own scale (`max |h| / 32767`), dotted exactly in i32 with the i8 decoder row,
/// and scaled back: `logit = (dot as f32 * token_scale) * weight_scale`. [`int16`]'s SIMD
/// kernel computes exactly this (integer sums are exact in any order, and the float steps are
/// the same three operations), so this is its specification and its test oracle.
#[cfg(any(test, all(target_arch = "wasm32", target_feature = "simd128")))]
pub(crate) mod int16_reference {
    /// Largest magnitude the simd128 kernel quantizes to (i16, symmetric).
    #[cfg(any(test, not(target_feature = "relaxed-simd")))]
    pub(crate) const Q: f32 = 32767.0;
    /// Largest magnitude the relaxed-SIMD kernel quantizes to: 14 bits, so that `q + 8192`
    /// splits into two 7-bit halves (`i32x4.relaxed_dot_i8x16_i7x16_add_s`'s second operand).
    #[cfg(any(test, target_feature = "relaxed-simd"))]
    pub(crate) const Q14: f32 = 8191.0;

    /// A token's quantization to `[-q, q]` and its scale (0 for an all-zero token).
    pub(crate) fn quantize_to(h: &[f32], q: f32) -> (Vec<i16>, f32) {
        let amax = h.iter().fold(0f32, |m, &x| if x.abs() > m { x.abs() } else { m });
        if amax == 0.0 {
            return (vec![0; h.len()], 0.0);
        }
        let inv = q / amax;
        (h.iter().map(|&x| (x * inv).round() as i16).collect(), amax / q)
    }

    /// A token's i16 quantization ([`Q`]) and its scale.
    #[cfg(any(test, not(target_feature = "relaxed-simd")))]
    pub(crate) fn quantize(h: &[f32]) -> (Vec<i16>, f32) {
        quantize_to(h, Q)
    }

    /// `q · w` the way the relaxed-SIMD kernel computes it, in plain Rust: `q` (14 bits) is
    /// offset to `u = q + 8192` in `[1, 16383]` and split into `hi = u >> 7` and `lo = u & 127`
    /// (both 7-bit, where the instruction is exact on every engine), so
    /// `q · w = 128 (hi · w) + lo · w - 8192 Σ w`. Every partial sum fits i32 for `H <= 512`.
    #[cfg(test)]
    pub(crate) fn split_dot(q: &[i16], w: &[i8]) -> i32 {
        let (mut hi, mut lo, mut sum) = (0i32, 0i32, 0i32);
        for (&x, &wk) in q.iter().zip(w) {
            let u = i32::from(x) + 8192;
            assert!((1..=16383).contains(&u), "{x} is not a 14-bit value");
            hi += (u >> 7) * i32::from(wk);
            lo += (u & 127) * i32::from(wk);
            sum += i32::from(wk);
        }
        128 * hi + lo - 8192 * sum
    }

    /// `max over tokens t of (q_t · w as f32 * s_t)`, before the weight scale.
    #[cfg(test)]
    pub(crate) fn column_max(tokens: &[(Vec<i16>, f32)], w: &[i8]) -> f32 {
        let mut best = f32::NEG_INFINITY;
        for (q, s) in tokens {
            let dot: i32 = q.iter().zip(w).map(|(&a, &b)| i32::from(a) * i32::from(b)).sum();
            let x = dot as f32 * s;
            best = if x > best { x } else { best };
        }
        best
    }
}

/// `a * b + c`, rounded once or twice.
#[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
trait MulAdd {
    fn mul_add(a: f32, b: f32, c: f32) -> f32;
}

/// Multiply, then add (what simd128 and SSE have; `f32::mul_add` would be a libm call).
#[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
struct Separate;

#[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
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
    // A closure inherits this function's target features, so the call needs no `unsafe`.
    let tile = |panel: &[f32], tile: &[f32], colmax: &mut [f32; PANEL_AVX2]| {
        tile_max_avx2_fma(panel, tile, colmax)
    };
    max_logits(panels, h, tiles, padded, max, tile);
}

/// [`tile_max`] with fused multiply-adds, compiled with AVX2 + FMA itself. Passing
/// `tile_max::<PANEL_AVX2, Fused>` to [`max_logits`] instead compiles the tile without those
/// features wherever LLVM does not inline it (the dev profile's many codegen units did not), and
/// there `f32::mul_add` is a call to libm's `fmaf` per multiply-add: 85x slower encoding in
/// tests and `sparrow index` (2026-12-08).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn tile_max_avx2_fma(panel: &[f32], tile: &[f32], colmax: &mut [f32; PANEL_AVX2]) {
    tile_max::<PANEL_AVX2, Fused>(panel, tile, colmax);
}

/// [`tile_max`] with `f32x4.relaxed_madd` (wasm32 with relaxed-SIMD: the f32 model in the
/// package's relaxed build). LLVM does not fuse `a * b + c` into it by itself, so the 4 × 8 tile
/// is written with the intrinsics.
#[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
#[inline(always)]
fn tile_max_relaxed_madd(panel: &[f32], tile: &[f32], colmax: &mut [f32; PANEL_PORTABLE]) {
    use core::arch::wasm32::{f32x4, f32x4_relaxed_madd, f32x4_splat};
    let zero = f32x4_splat(0.0);
    let mut acc = [[zero; 2]; TILE_TOKENS];
    for (w, x) in panel.chunks_exact(PANEL_PORTABLE).zip(tile.chunks_exact(TILE_TOKENS)) {
        let w = [f32x4(w[0], w[1], w[2], w[3]), f32x4(w[4], w[5], w[6], w[7])];
        for (acc, &xt) in acc.iter_mut().zip(x) {
            let xt = f32x4_splat(xt);
            acc[0] = f32x4_relaxed_madd(xt, w[0], acc[0]);
            acc[1] = f32x4_relaxed_madd(xt, w[1], acc[1]);
        }
    }
    for acc in &acc {
        let a = lanes::lanes(acc[0]).into_iter().chain(lanes::lanes(acc[1]));
        for (m, a) in colmax.iter_mut().zip(a) {
            *m = if a > *m { a } else { *m };
        }
    }
}

/// `max[r * padded + v] = max over row r's tokens of h[t] · W[v]`, panel by panel.
///
/// Panel-outer: one panel (`H x P` f32, 4–8 KiB at H = 128) stays in L1 for every token of
/// every row, so W is read from memory once per batch. `tile_max` folds one tile of tokens into
/// the panel's column maxima ([`tile_max`], or its relaxed-SIMD form).
#[inline(always)]
fn max_logits<const P: usize>(
    panels: &[f32],
    h: usize,
    tiles: &[Vec<f32>],
    padded: usize,
    max: &mut [f32],
    tile_max: impl Fn(&[f32], &[f32], &mut [f32; P]),
) {
    for (p, panel) in panels.chunks_exact(h * P).enumerate() {
        for (r, row_tiles) in tiles.iter().enumerate() {
            let mut colmax = [f32::NEG_INFINITY; P];
            for tile in row_tiles.chunks_exact(h * TILE_TOKENS) {
                tile_max(panel, tile, &mut colmax);
            }
            max[r * padded + p * P..][..P].copy_from_slice(&colmax);
        }
    }
}

/// `colmax[j] = max(colmax[j], max over the tile's tokens t of h[t] · W[:, j])` for one panel.
/// `panel` is `[H][P]`, `tile` is `[H][TILE_TOKENS]`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
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

/// What both integer kernels share: horizontal sums and lane extraction.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::{f32x4_extract_lane, i32x4_add, i32x4_shuffle, v128};

    /// `[sum(a0), sum(a1), sum(a2), sum(a3)]` of four i32x4.
    #[inline(always)]
    pub(super) fn hsum4(a: [v128; 4]) -> v128 {
        let lo01 = i32x4_shuffle::<0, 4, 1, 5>(a[0], a[1]);
        let hi01 = i32x4_shuffle::<2, 6, 3, 7>(a[0], a[1]);
        let s01 = i32x4_add(lo01, hi01); // [a0.0+a0.2, a1.0+a1.2, a0.1+a0.3, a1.1+a1.3]
        let lo23 = i32x4_shuffle::<0, 4, 1, 5>(a[2], a[3]);
        let hi23 = i32x4_shuffle::<2, 6, 3, 7>(a[2], a[3]);
        let s23 = i32x4_add(lo23, hi23);
        let x = i32x4_shuffle::<0, 1, 4, 5>(s01, s23);
        let y = i32x4_shuffle::<2, 3, 6, 7>(s01, s23);
        i32x4_add(x, y)
    }

    /// The four f32 lanes of a vector.
    #[inline(always)]
    pub(super) fn lanes(v: v128) -> [f32; 4] {
        [
            f32x4_extract_lane::<0>(v),
            f32x4_extract_lane::<1>(v),
            f32x4_extract_lane::<2>(v),
            f32x4_extract_lane::<3>(v),
        ]
    }
}

/// The int8 decoder's integer kernel this build has: [`relaxed`] in a module built with
/// relaxed-SIMD, [`int16`] in the plain simd128 one (the package ships both and picks one by
/// feature detection).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
type IntegerProjection = relaxed::RelaxedProjection;
#[cfg(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    not(target_feature = "relaxed-simd")
))]
type IntegerProjection = int16::Int16Projection;

/// The int8 decoder on wasm32 simd128: `i32x4.dot_i16x8_s` over i16 hidden states and the
/// decoder's i8 values widened to i16, 2 tokens × 4 vocabulary columns per tile (8 i32x4
/// accumulators plus 6 operands: 14 of V8's 16 vector registers on x86-64). Computes exactly
/// [`int16_reference`].
#[cfg(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    not(target_feature = "relaxed-simd")
))]
mod int16 {
    use core::arch::wasm32::{
        f32x4_convert_i32x4, f32x4_gt, f32x4_mul, f32x4_splat, i16x8, i32x4_add, i32x4_dot_i16x8,
        v128, v128_bitselect,
    };

    use super::int16_reference::quantize;
    use super::lanes::{hsum4, lanes};

    /// Columns per tile.
    const COLS: usize = 4;

    /// `W` as `[ceil(V / 4) * 4][ceil(H / 8)]` i16x8 vectors (zero-padded), and its scale.
    #[derive(Debug)]
    pub(super) struct Int16Projection {
        chunks: usize,
        columns: usize,
        weights: Vec<v128>,
        scale: f32,
    }

    impl Int16Projection {
        /// `None` when the hidden width could overflow the i32 sums (`H * 32767 * 128`).
        pub(super) fn new(q: &[i8], scale: f32, vocab: usize, hidden: usize) -> Option<Self> {
            if hidden == 0 || hidden > 512 || q.len() != vocab * hidden {
                return None;
            }
            let chunks = hidden.div_ceil(8);
            let columns = vocab.div_ceil(COLS) * COLS;
            let mut weights = Vec::with_capacity(columns * chunks);
            for v in 0..columns {
                let row = q.get(v * hidden..(v + 1) * hidden).unwrap_or(&[]);
                weights.extend(pack(row.iter().map(|&x| i16::from(x)), chunks));
            }
            Some(Int16Projection { chunks, columns, weights, scale })
        }

        /// Columns per output row (the vocabulary rounded up to the tile).
        pub(super) fn padded(&self) -> usize {
            self.columns
        }

        /// `rows x padded` maxima of `h[t] · W[v]` over each row's real tokens (the weight
        /// scale applied), `NEG_INFINITY` for a row without tokens.
        pub(super) fn max_logits(
            &self,
            rows: usize,
            len: usize,
            hidden: &[f32],
            mask: &[i64],
        ) -> Vec<f32> {
            let h = hidden.len() / (rows * len).max(1);
            let c = self.chunks;
            let mut out = vec![f32::NEG_INFINITY; rows * self.columns];
            for r in 0..rows {
                // Real tokens, quantized; an odd count repeats the last (a max is unchanged).
                let mut tokens: Vec<v128> = Vec::new();
                let mut scales: Vec<f32> = Vec::new();
                for t in (0..len).filter(|&t| mask[r * len + t] != 0) {
                    let (qt, st) = quantize(&hidden[(r * len + t) * h..][..h]);
                    tokens.extend(pack(qt.into_iter(), c));
                    scales.push(st);
                }
                if scales.is_empty() {
                    continue;
                }
                if scales.len() % 2 == 1 {
                    let last = tokens.len() - c;
                    tokens.extend_from_within(last..);
                    scales.push(scales[scales.len() - 1]);
                }
                let row = &mut out[r * self.columns..][..self.columns];
                for (group, maxes) in
                    self.weights.chunks_exact(COLS * c).zip(row.chunks_exact_mut(COLS))
                {
                    let mut best = f32x4_splat(f32::NEG_INFINITY);
                    for (pair, s) in tokens.chunks_exact(2 * c).zip(scales.chunks_exact(2)) {
                        let (t0, t1) = pair.split_at(c);
                        let [a, b] = tile(t0, t1, group, c);
                        for (sums, scale) in [(a, s[0]), (b, s[1])] {
                            let x = f32x4_mul(f32x4_convert_i32x4(sums), f32x4_splat(scale));
                            best = v128_bitselect(x, best, f32x4_gt(x, best));
                        }
                    }
                    let best: [f32; 4] = lanes(best);
                    for (m, b) in maxes.iter_mut().zip(best) {
                        *m = b * self.scale;
                    }
                }
            }
            out
        }
    }

    /// The dot products of two tokens with 4 columns: `[t0 · w0..w3]`, `[t1 · w0..w3]`.
    #[inline(always)]
    fn tile(t0: &[v128], t1: &[v128], group: &[v128], c: usize) -> [v128; 2] {
        let zero = i16x8(0, 0, 0, 0, 0, 0, 0, 0);
        let mut acc = [[zero; COLS]; 2];
        let (w0, rest) = group.split_at(c);
        let (w1, rest) = rest.split_at(c);
        let (w2, w3) = rest.split_at(c);
        for k in 0..c {
            let (x0, x1) = (t0[k], t1[k]);
            let w = [w0[k], w1[k], w2[k], w3[k]];
            for j in 0..COLS {
                acc[0][j] = i32x4_add(acc[0][j], i32x4_dot_i16x8(x0, w[j]));
                acc[1][j] = i32x4_add(acc[1][j], i32x4_dot_i16x8(x1, w[j]));
            }
        }
        [hsum4(acc[0]), hsum4(acc[1])]
    }

    /// i16 values as `chunks` i16x8 vectors, zero-padded.
    fn pack(values: impl Iterator<Item = i16>, chunks: usize) -> Vec<v128> {
        let mut lanes = vec![0i16; chunks * 8];
        for (l, x) in lanes.iter_mut().zip(values) {
            *l = x;
        }
        lanes
            .chunks_exact(8)
            .map(|l| i16x8(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]))
            .collect()
    }
}

/// The int8 decoder on wasm32 with relaxed-SIMD: `i32x4.relaxed_dot_i8x16_i7x16_add_s` does 16
/// multiply-adds and the accumulation in one instruction (`vpdpbusd` on x86 with VNNI, `sdot`
/// on ARM) where [`int16`] needs two instructions for 8. Its second operand is only exact on
/// every engine in `[0, 127]`, so each token is quantized to 14 bits and offset into two 7-bit
/// halves ([`int16_reference::split_dot`] is the arithmetic, tested natively); the decoder stays
/// i8 (half [`int16`]'s bytes). One token × 4 vocabulary columns per tile, high and low halves
/// in separate accumulators (8 i32x4, plus 4 decoder and 2 token operands).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
mod relaxed {
    use core::arch::wasm32::{
        f32x4_convert_i32x4, f32x4_gt, f32x4_mul, f32x4_splat, i32x4, i32x4_add,
        i32x4_relaxed_dot_i8x16_i7x16_add, i32x4_shl, i32x4_splat, i32x4_sub, i8x16, u8x16, v128,
        v128_bitselect,
    };

    use super::int16_reference::{quantize_to, Q14};
    use super::lanes::{hsum4, lanes};

    /// Columns per tile.
    const COLS: usize = 4;

    /// `W` as `[ceil(V / 4) * 4][ceil(H / 16)]` i8x16 vectors (zero-padded), `8192 Σ_k W[v][k]`
    /// per column (as i32x4 per tile), and the weight scale.
    #[derive(Debug)]
    pub(super) struct RelaxedProjection {
        chunks: usize,
        columns: usize,
        weights: Vec<v128>,
        offsets: Vec<v128>,
        scale: f32,
    }

    impl RelaxedProjection {
        /// `None` when the hidden width could overflow the i32 sums (`128 · H · 127 · 128`).
        pub(super) fn new(q: &[i8], scale: f32, vocab: usize, hidden: usize) -> Option<Self> {
            if hidden == 0 || hidden > 512 || q.len() != vocab * hidden {
                return None;
            }
            let chunks = hidden.div_ceil(16);
            let columns = vocab.div_ceil(COLS) * COLS;
            let mut weights = Vec::with_capacity(columns * chunks);
            let mut sums = Vec::with_capacity(columns);
            for v in 0..columns {
                let row = q.get(v * hidden..(v + 1) * hidden).unwrap_or(&[]);
                let mut lanes = vec![0i8; chunks * 16];
                lanes[..row.len()].copy_from_slice(row);
                weights.extend(lanes.chunks_exact(16).map(|l| {
                    i8x16(
                        l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], l[9], l[10], l[11],
                        l[12], l[13], l[14], l[15],
                    )
                }));
                sums.push(8192 * row.iter().map(|&x| i32::from(x)).sum::<i32>());
            }
            let offsets = sums.chunks_exact(COLS).map(|s| i32x4(s[0], s[1], s[2], s[3])).collect();
            Some(RelaxedProjection { chunks, columns, weights, offsets, scale })
        }

        /// Columns per output row (the vocabulary rounded up to the tile).
        pub(super) fn padded(&self) -> usize {
            self.columns
        }

        /// `rows x padded` maxima of `h[t] · W[v]` over each row's real tokens (the weight
        /// scale applied), `NEG_INFINITY` for a row without tokens.
        pub(super) fn max_logits(
            &self,
            rows: usize,
            len: usize,
            hidden: &[f32],
            mask: &[i64],
        ) -> Vec<f32> {
            let h = hidden.len() / (rows * len).max(1);
            let c = self.chunks;
            let mut out = vec![f32::NEG_INFINITY; rows * self.columns];
            for r in 0..rows {
                // Real tokens as `[hi chunks][lo chunks]`, 7-bit halves of `q + 8192`; the
                // padding lanes (k >= H) meet zero weights.
                let mut tokens: Vec<v128> = Vec::new();
                let mut scales: Vec<f32> = Vec::new();
                for t in (0..len).filter(|&t| mask[r * len + t] != 0) {
                    let (qt, st) = quantize_to(&hidden[(r * len + t) * h..][..h], Q14);
                    let mut hi = vec![64u8; c * 16];
                    let mut lo = vec![0u8; c * 16];
                    for ((x, hi), lo) in qt.iter().zip(&mut hi).zip(&mut lo) {
                        let u = (i32::from(*x) + 8192) as u16;
                        *hi = (u >> 7) as u8;
                        *lo = (u & 127) as u8;
                    }
                    tokens.extend(pack(&hi));
                    tokens.extend(pack(&lo));
                    scales.push(st);
                }
                let row = &mut out[r * self.columns..][..self.columns];
                for ((group, offset), maxes) in self
                    .weights
                    .chunks_exact(COLS * c)
                    .zip(&self.offsets)
                    .zip(row.chunks_exact_mut(COLS))
                {
                    let mut best = f32x4_splat(f32::NEG_INFINITY);
                    for (token, &s) in tokens.chunks_exact(2 * c).zip(&scales) {
                        let (hi, lo) = token.split_at(c);
                        let dots = i32x4_sub(tile(hi, lo, group, c), *offset);
                        let x = f32x4_mul(f32x4_convert_i32x4(dots), f32x4_splat(s));
                        best = v128_bitselect(x, best, f32x4_gt(x, best));
                    }
                    for (m, b) in maxes.iter_mut().zip(lanes(best)) {
                        *m = b * self.scale;
                    }
                }
            }
            out
        }
    }

    /// `[u · w0, u · w1, u · w2, u · w3]` with `u = 128 hi + lo` (the token offset by 8192).
    #[inline(always)]
    fn tile(hi: &[v128], lo: &[v128], group: &[v128], c: usize) -> v128 {
        let zero = i32x4_splat(0);
        let mut acc_hi = [zero; COLS];
        let mut acc_lo = [zero; COLS];
        let (w0, rest) = group.split_at(c);
        let (w1, rest) = rest.split_at(c);
        let (w2, w3) = rest.split_at(c);
        for k in 0..c {
            let (xh, xl) = (hi[k], lo[k]);
            let w = [w0[k], w1[k], w2[k], w3[k]];
            for j in 0..COLS {
                acc_hi[j] = i32x4_relaxed_dot_i8x16_i7x16_add(w[j], xh, acc_hi[j]);
                acc_lo[j] = i32x4_relaxed_dot_i8x16_i7x16_add(w[j], xl, acc_lo[j]);
            }
        }
        let mut acc = [zero; COLS];
        for j in 0..COLS {
            acc[j] = i32x4_add(i32x4_shl(acc_hi[j], 7), acc_lo[j]);
        }
        hsum4(acc)
    }

    /// Bytes as i8x16 vectors (a multiple of 16 long).
    fn pack(bytes: &[u8]) -> impl Iterator<Item = v128> + '_ {
        bytes.chunks_exact(16).map(|l| {
            u8x16(
                l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], l[9], l[10], l[11], l[12],
                l[13], l[14], l[15],
            )
        })
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
    fn int16_arithmetic_matches_the_definition() {
        // The integer kernel's specification against the f64 definition with the dequantized
        // decoder: per-token i16 quantization moves a logit by at most sum|W[v]| x max|h| /
        // 65534 (~1e-4 for the model's values).
        use int16_reference::{column_max, quantize};
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for (v, h, len) in [(37, 5, 9), (64, 128, 7), (9, 33, 1)] {
            let q: Vec<i8> =
                rand(v * h, &mut seed).iter().map(|&x| (x * 127.0).round() as i8).collect();
            let scale = 0.01;
            let w: Vec<f32> = q.iter().map(|&x| f32::from(x) * scale).collect();
            let b = rand(v, &mut seed);
            let hid: Vec<f32> = rand(len * h, &mut seed).iter().map(|x| x * 3.0).collect();
            let mut mask = vec![1i64; len];
            mask[len / 2] = i64::from(len == 1); // a hole (none in a 1-token window)
            let want = naive(&w, &b, v, h, &hid, &mask);
            let tokens: Vec<(Vec<i16>, f32)> = hid
                .chunks_exact(h)
                .zip(&mask)
                .filter(|(_, &m)| m != 0)
                .map(|(t, _)| quantize(t))
                .collect();
            let amax = hid.iter().fold(0f32, |m, x| m.max(x.abs()));
            for (j, &want) in want.iter().enumerate() {
                let row = &q[j * h..(j + 1) * h];
                let m = column_max(&tokens, row) * scale;
                let got = (1.0 + (m + b[j]).max(0.0)).ln();
                // Rounding moves each h[k] by at most max|h| / 65534; log(1 + relu) is
                // 1-Lipschitz.
                let l1: f32 = row.iter().map(|&x| f32::from(x).abs() * scale).sum();
                let bound = l1 * amax / 65534.0 * 1.01 + 1e-6;
                assert!((got - want).abs() <= bound, "v={v} h={h} col {j}: {got} vs {want}");
            }
            // An all-zero token quantizes to zeros with scale 0 (no division by zero).
            assert_eq!(quantize(&[0.0; 4]), (vec![0; 4], 0.0));
        }
    }

    #[test]
    fn relaxed_split_dot_is_the_dot_product() {
        // The relaxed-SIMD kernel's arithmetic: 14-bit tokens offset and split into 7-bit
        // halves give exactly the integer dot product, extremes included.
        use int16_reference::{quantize_to, split_dot, Q14};
        let mut seed = 0x0bad_cafe_dead_beefu64;
        for h in [1, 16, 33, 128, 512] {
            let mut q: Vec<i16> =
                rand(h, &mut seed).iter().map(|&x| (x * Q14).round() as i16).collect();
            let mut w: Vec<i8> = rand(h, &mut seed)
                .iter()
                .map(|&x| (x * 128.0).clamp(-128.0, 127.0) as i8)
                .collect();
            q[0] = if h % 2 == 0 { 8191 } else { -8191 };
            w[h - 1] = -128;
            let want: i32 = q.iter().zip(&w).map(|(&a, &b)| i32::from(a) * i32::from(b)).sum();
            assert_eq!(split_dot(&q, &w), want, "h={h}");
            // The worst case for the i32 partial sums: every lane at its largest magnitude.
            let all = vec![8191i16; h];
            let min = vec![-128i8; h];
            assert_eq!(split_dot(&all, &min), -8191 * 128 * h as i32);
        }
        let (q, s) = quantize_to(&[0.5, -2.0, 1.0], Q14);
        assert_eq!((q, s), (vec![2048, -8191, 4096], 2.0 / Q14));
    }

    #[test]
    fn int8_decoders_pool_like_their_dequantized_form() {
        // `new_int8` natively dequantizes (the integer kernel is wasm32's); on every target
        // it must give what the f32 projection of the dequantized weights gives.
        let mut seed = 0x1234_5678_9abc_def1u64;
        let (v, h, len) = (41, 24, 5);
        let q: Vec<i8> =
            rand(v * h, &mut seed).iter().map(|&x| (x * 127.0).round() as i8).collect();
        let w: Vec<f32> = q.iter().map(|&x| f32::from(x) * 0.02).collect();
        let b = rand(v, &mut seed);
        let hid = rand(len * h, &mut seed);
        let mask = vec![1i64; len];
        let int8 = VocabProjection::new_int8(&q, 0.02, b.clone(), v, h).pool(1, len, &hid, &mask);
        let f32 = VocabProjection::new(Kernel::detect(), &w, b, v, h).pool(1, len, &hid, &mask);
        for (a, b) in int8.iter().zip(&f32) {
            assert!((a - b).abs() <= 1e-4, "{a} vs {b}");
        }
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
