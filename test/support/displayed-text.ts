/**
 * What a reader sees of a markdown TextBlock whose outside text the cards escaped: backslash escapes
 * of ASCII punctuation are consumed (CommonMark), and the invisible joiners that break links are not seen.
 */
export function displayed(markdown: string): string {
  return markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1').replaceAll('\u200D', '');
}
