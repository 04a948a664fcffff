/**
 * Draws the Teams app icons: a disc (installation media) with an upward arrow (upgrade).
 * `color.png` 192×192: white glyph on the accent colour; `outline.png` 32×32: white glyph on
 * transparency, as Teams requires. Run `npx ts-node scripts/make-icons.ts` after changing the design;
 * a test checks that the committed PNGs are what this draws.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';

export const ACCENT_COLOR = '#1F5B99';
const SUBSAMPLES = 4; // 4×4 samples per pixel for smooth edges

/** Coverage of the glyph at (x, y) in the unit square, 1 inside, 0 outside. */
function insideGlyph(x: number, y: number): boolean {
  const dx = x - 0.5;
  const dy = y - 0.5;
  const r = Math.hypot(dx, dy);
  const inDisc = r <= 0.44 && r >= 0.3; // the rim of a disc, leaving room inside for the arrow
  // Upward arrow in the middle: a triangular head over a stem.
  const inHead = y >= 0.26 && y <= 0.48 && Math.abs(dx) <= (y - 0.26) * 0.75;
  const inStem = y > 0.47 && y <= 0.74 && Math.abs(dx) <= 0.055;
  return inDisc || inHead || inStem;
}

function coverage(px: number, py: number, size: number): number {
  let hits = 0;
  for (let sy = 0; sy < SUBSAMPLES; sy++) {
    for (let sx = 0; sx < SUBSAMPLES; sx++) {
      if (insideGlyph((px + (sx + 0.5) / SUBSAMPLES) / size, (py + (sy + 0.5) / SUBSAMPLES) / size)) hits++;
    }
  }
  return hits / (SUBSAMPLES * SUBSAMPLES);
}

function hexToRgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/** 192×192, opaque: the white glyph blended over the accent colour. */
export function drawColorIcon(): PNG {
  const size = 192;
  const png = new PNG({ width: size, height: size });
  const [r, g, b] = hexToRgb(ACCENT_COLOR);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = coverage(x, y, size);
      const at = (y * size + x) * 4;
      png.data[at] = Math.round(r + (255 - r) * c);
      png.data[at + 1] = Math.round(g + (255 - g) * c);
      png.data[at + 2] = Math.round(b + (255 - b) * c);
      png.data[at + 3] = 255;
    }
  }
  return png;
}

/** 32×32: pure white, the glyph's coverage in the alpha channel, transparent elsewhere. */
export function drawOutlineIcon(): PNG {
  const size = 32;
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const at = (y * size + x) * 4;
      png.data[at] = 255;
      png.data[at + 1] = 255;
      png.data[at + 2] = 255;
      png.data[at + 3] = Math.round(coverage(x, y, size) * 255);
    }
  }
  return png;
}

export function writeIcons(manifestDir: string): void {
  fs.writeFileSync(path.join(manifestDir, 'color.png'), PNG.sync.write(drawColorIcon()));
  fs.writeFileSync(path.join(manifestDir, 'outline.png'), PNG.sync.write(drawOutlineIcon()));
}

if (require.main === module) {
  // Run from the project root, as npx does.
  writeIcons(path.resolve('manifest'));
}
