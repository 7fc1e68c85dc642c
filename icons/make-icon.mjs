// Draws icons/shardlens.png (the 128×128 marketplace icon) without any image tool: a 4×4 mesh
// of chips, each column a different shard colour, under a lens. Rasterised with 4×4
// supersampling and written as an RGBA PNG through zlib. Run: node icons/make-icon.mjs
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const SIZE = 128;
const SS = 4; // supersamples per axis

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const BACKGROUND = hex('#1b2a41');
const SHARDS = ['#3a78c2', '#2f9e77', '#d9822b', '#9c5fc7'].map(hex);
const LENS = hex('#f2f5f9');

/** Inside a rounded rectangle [x0,x1]×[y0,y1] with corner radius r. */
function inRoundRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The colour at a point of the 128-unit canvas, or null for transparent. */
function colourAt(x, y) {
  const lensCx = 84, lensCy = 84, lensR = 26, ring = 6;
  const d = Math.hypot(x - lensCx, y - lensCy);
  // Lens ring and handle are drawn over everything.
  if (d <= lensR + ring / 2 && d >= lensR - ring / 2) return LENS;
  const along = (x - lensCx + y - lensCy) / Math.SQRT2;
  const across = Math.abs(x - lensCx - (y - lensCy)) / Math.SQRT2;
  if (along > lensR && along < lensR + 22 && across < 5) return LENS;
  if (!inRoundRect(x, y, 4, 4, 124, 124, 22)) return null;
  // The 4×4 mesh: one colour per column (a dimension split over an axis).
  const cell = 22, gap = 5, origin = 14;
  for (let row = 0; row < 4; row++) {
    for (let col = 0; col < 4; col++) {
      const x0 = origin + col * (cell + gap), y0 = origin + row * (cell + gap);
      if (inRoundRect(x, y, x0, y0, x0 + cell, y0 + cell, 4)) {
        const c = SHARDS[col];
        // Inside the lens the chips are drawn brighter, as if magnified.
        return d < lensR - ring / 2 ? c.map((v) => Math.round(v + (255 - v) * 0.35)) : c;
      }
    }
  }
  return BACKGROUND;
}

const rgba = Buffer.alloc(SIZE * SIZE * 4);
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = colourAt(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
        if (!c) continue;
        r += c[0]; g += c[1]; b += c[2]; a += 1;
      }
    }
    const o = (py * SIZE + px) * 4;
    // Colour is averaged over the covered samples only (straight alpha).
    rgba[o] = a ? Math.round(r / a) : 0;
    rgba[o + 1] = a ? Math.round(g / a) : 0;
    rgba[o + 2] = a ? Math.round(b / a) : 0;
    rgba[o + 3] = Math.round((255 * a) / (SS * SS));
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // colour type RGBA
// Each scanline starts with filter type 0 (none).
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./shardlens.png', import.meta.url), png);
console.log(`icons/shardlens.png: ${png.length} bytes`);
