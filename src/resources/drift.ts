import { APPLIED_HASH_ANNOTATION } from './labels.ts';
import { shortHash } from './names.ts';
import { parseQuantity } from './quantity.ts';

/** JSON with object keys sorted, so equal objects always serialise the same. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> };

/** The desired object with the hash of itself in an annotation (what the operator applies). */
export function withAppliedHash<T extends Obj>(desired: T): T {
  const hash = shortHash(stableStringify(desired), 16);
  const annotations = { ...(desired.metadata['annotations'] as Record<string, string> | undefined) };
  annotations[APPLIED_HASH_ANNOTATION] = hash;
  return { ...desired, metadata: { ...desired.metadata, annotations } };
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'string' || typeof a === 'number') && (typeof b === 'string' || typeof b === 'number')) {
    // The API server canonicalises quantities ("0.5" becomes "500m").
    try {
      return parseQuantity(a) === parseQuantity(b);
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * True when every field of `desired` has the same value in `observed` (fields the server
 * defaulted or others own are ignored; arrays must match element by element).
 */
export function isSubset(desired: unknown, observed: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(observed) &&
      desired.length === observed.length &&
      desired.every((d, i) => isSubset(d, observed[i]))
    );
  }
  if (desired !== null && typeof desired === 'object') {
    if (observed === null || typeof observed !== 'object' || Array.isArray(observed)) return false;
    const o = observed as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(
      ([k, v]) => v === undefined || isSubset(v, o[k]),
    );
  }
  return sameScalar(desired, observed);
}

/**
 * Whether applying `desired` (carrying its applied-hash) would change `observed`: it is missing,
 * was last applied from a different desired state (fields may have been dropped), or someone
 * edited a field the operator owns. A no-change resync therefore writes nothing.
 */
export function needsApply(desired: Obj, observed: Obj | undefined): boolean {
  if (observed === undefined) return true;
  const want = (desired.metadata['annotations'] as Record<string, string> | undefined)?.[
    APPLIED_HASH_ANNOTATION
  ];
  const have = (observed.metadata['annotations'] as Record<string, string> | undefined)?.[
    APPLIED_HASH_ANNOTATION
  ];
  if (want !== have) return true;
  return !isSubset(desired, observed);
}
