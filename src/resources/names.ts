import { createHash } from 'node:crypto';

const MAX_NAME = 63;

/** A short stable hash of a string (hex), for name suffixes and change detection. */
export function shortHash(value: string, length = 8): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/**
 * `<base>-<suffix>` as a DNS-1123 label of at most 63 characters. When too long, the base is
 * trimmed and a stable hash of the full name keeps distinct inputs distinct.
 */
export function childName(base: string, suffix: string): string {
  const full = `${base}-${suffix}`;
  if (full.length <= MAX_NAME) return full;
  const hash = shortHash(full);
  const room = MAX_NAME - suffix.length - hash.length - 2;
  const trimmed = base.slice(0, room).replace(/-+$/, '');
  return `${trimmed}-${hash}-${suffix}`;
}
