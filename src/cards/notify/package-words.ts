/** How the notification cards name a package and quote what came from outside (ConfigMgr, the share, the data). */
import { escapeText, shorten } from '../kit/text';

export const MAX_NAME_SHOWN = 200;
export const MAX_FACT_SHOWN = 300;

/** "Windows 11 24H2 Enterprise x64 (PS100012)", escaped. */
export function packageLabel(packageId: string, packageName: string | undefined, max = MAX_NAME_SHOWN): string {
  const name = (packageName ?? '').trim() || packageId;
  return `${escapeText(shorten(name, max))} (${escapeText(shorten(packageId, 20))})`;
}

/** A value from outside, cut and escaped; `whenEmpty` (ours) when blank. */
export function quoted(text: string | null | undefined, max: number, whenEmpty: string): string {
  const trimmed = (text ?? '').trim();
  return trimmed === '' ? whenEmpty : escapeText(shorten(trimmed, max));
}

/** A package id as typed after "refresh" or "show": only the characters a PackageID has. */
export function typedId(packageId: string): string {
  return packageId.replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
}
