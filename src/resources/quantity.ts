import { PhoenixError } from '../shared/errors.ts';

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** The numeric value of a Kubernetes quantity ("500m" = 0.5, "1Gi" = 1073741824). */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity.trim());
  if (!match) {
    throw new PhoenixError(
      'PHOENIX_INVALID_QUANTITY',
      `'${quantity}' is not a Kubernetes quantity such as 500m or 1Gi`,
    );
  }
  return Number(match[1]) * (SUFFIX[match[2] ?? ''] ?? 1);
}
