import type { Condition } from '../../api/index.ts';
import { FIELD_MANAGER } from '../../resources/labels.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import { sameJson } from '../runtime/predicates.ts';

/** What a reconciler concluded about one condition type. */
export interface Verdict {
  status: Condition['status'];
  reason: string;
  message: string;
}

export const yes = (reason: string, message: string): Verdict => ({ status: 'True', reason, message });
export const no = (reason: string, message: string): Verdict => ({ status: 'False', reason, message });

/**
 * Conditions from verdicts, in the given order. A condition whose status did not change keeps its
 * lastTransitionTime (kstatus and `kubectl wait` rely on it); a changed one gets `now`.
 */
export function conditionsFrom(
  verdicts: readonly (readonly [type: string, verdict: Verdict])[],
  previous: readonly Condition[],
  generation: number | undefined,
  now: string,
): Condition[] {
  return verdicts.map(([type, v]) => {
    const old = previous.find((c) => c.type === type);
    return {
      type,
      status: v.status,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
      lastTransitionTime: old !== undefined && old.status === v.status ? old.lastTransitionTime : now,
      reason: v.reason,
      message: v.message,
    };
  });
}

/**
 * Server-side applies `status` on the status subresource of `obj` (same kind, name and
 * namespace) when it differs from `current`, the part of the status this manager owns. Returns
 * whether it wrote.
 */
export async function applyStatusIfChanged(
  client: KubeClient,
  obj: KubeObject,
  update: { current: unknown; status: object; signal: AbortSignal },
): Promise<boolean> {
  if (sameJson(update.current ?? {}, update.status)) return false;
  await client.apply(
    {
      apiVersion: obj.apiVersion ?? '',
      kind: obj.kind ?? '',
      metadata: { name: obj.metadata?.name ?? '', namespace: obj.metadata?.namespace ?? '' },
      status: update.status,
    },
    { fieldManager: FIELD_MANAGER, force: true, subresource: 'status', signal: update.signal },
  );
  return true;
}
