// The app icons, drawn from one geometry: an SVG, and PNGs rasterised here (4x4 supersampling,
// a minimal PNG encoder on node:zlib), so no image file is downloaded or committed.
import { deflateSync } from 'node:zlib';

const BG = [0x1f, 0x4e, 0x8c];
const FG = [0xff, 0xff, 0xff];
const ACCENT = [0xff, 0xc8, 0x57];

// Unit-square geometry: a magnifying glass (ring + handle) over three lines of "text".
const ring = { cx: 0.44, cy: 0.44, r: 0.2, w: 0.065 };
const handle = { x1: 0.585, y1: 0.585, x2: 0.76, y2: 0.76, w: 0.09 };
const lines = [
  { x1: 0.35, x2: 0.53, y: 0.39 },
  { x1: 0.35, x2: 0.5, y: 0.45 },
  { x1: 0.35, x2: 0.45, y: 0.51 },
];
const lineW = 0.03;

function segDist(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1, dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

/** Colour at a point of the unit square, or null outside the shape (transparent). */
function shade(x: number, y: number, maskable: boolean): number[] | null {
  if (!maskable) {
    // Rounded square, corner radius 0.18.
    const r = 0.18;
    const qx = Math.max(Math.abs(x - 0.5) - (0.5 - r), 0);
    const qy = Math.max(Math.abs(y - 0.5) - (0.5 - r), 0);
    if (Math.hypot(qx, qy) > r) return null;
  } else {
    // Maskable: full bleed background, content scaled into the 80% safe zone.
    x = 0.5 + (x - 0.5) / 0.8;
    y = 0.5 + (y - 0.5) / 0.8;
  }
  if (Math.abs(Math.hypot(x - ring.cx, y - ring.cy) - ring.r) < ring.w / 2) return FG;
  if (segDist(x, y, handle.x1, handle.y1, handle.x2, handle.y2) < handle.w / 2) return FG;
  for (const l of lines) if (segDist(x, y, l.x1, l.y, l.x2, l.y) < lineW / 2) return ACCENT;
  return BG;
}

const hex = (c: number[]) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** The same icon as SVG (used as the favicon). */
export function iconSvg(): string {
  const s = (v: number) => +(v * 512).toFixed(2);
  const l = lines.map((ln) => `<line x1="${s(ln.x1)}" y1="${s(ln.y)}" x2="${s(ln.x2)}" y2="${s(ln.y)}" stroke="${hex(ACCENT)}" stroke-width="${s(lineW)}" stroke-linecap="round"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect width="512" height="512" rx="${s(0.18)}" fill="${hex(BG)}"/>${l}<circle cx="${s(ring.cx)}" cy="${s(ring.cy)}" r="${s(ring.r)}" fill="none" stroke="${hex(FG)}" stroke-width="${s(ring.w)}"/><line x1="${s(handle.x1)}" y1="${s(handle.y1)}" x2="${s(handle.x2)}" y2="${s(handle.y2)}" stroke="${hex(FG)}" stroke-width="${s(handle.w)}" stroke-linecap="round"/></svg>\n`;
}

/** A `size`x`size` RGBA PNG of the icon. */
export function iconPng(size: number, maskable = false): Buffer {
  const ss = 4;
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let py = 0; py < size; py++) {
    const row = py * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size, maskable);
          if (!c) continue;
          r += c[0]!; g += c[1]!; b += c[2]!; a += 1;
        }
      }
      const o = row + 1 + px * 4;
      if (a) {
        raw[o] = Math.round(r / a); raw[o + 1] = Math.round(g / a); raw[o + 2] = Math.round(b / a);
      }
      raw[o + 3] = Math.round((a / (ss * ss)) * 255);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
