/**
 * Finds words that the browser broke across two lines inside a rendered card: at Teams' chat width a table
 * header read "Ind ex" and a build "26100.8 246". Each word of every text node is measured with a Range; a
 * word drawn on more than one line box was broken. A line may end after a hyphen ("2025-" / "10"), as in
 * print, so hyphens end words here. Words too long for any column (UNC paths) are expected to break and
 * are left out by `longerThan`.
 */
import type { Locator } from 'playwright-core';

export interface BrokenWord {
  word: string;
  /** The text block the word is in, shortened, to find it in the card. */
  inText: string;
}

export async function wordsBrokenAcrossLines(card: Locator, longerThan = 24): Promise<BrokenWord[]> {
  return card.evaluate((root, limit) => {
    const found: Array<{ word: string; inText: string }> = [];
    const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      const words = /[^\s-]+-?|-+/g;
      for (let match = words.exec(text); match !== null; match = words.exec(text)) {
        if (match[0].length > limit) continue;
        const range = root.ownerDocument.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        // One rectangle per line box the word is drawn on; zero-width rectangles are not drawn text.
        const tops = new Set(Array.from(range.getClientRects()).filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
        if (tops.size > 1) found.push({ word: match[0], inText: text.trim().slice(0, 60) });
      }
    }
    return found;
  }, longerThan);
}
