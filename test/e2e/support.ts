/** Reading the cluster in the end-to-end tests: kstatus readiness, a market's children, waits. */
import { waitUntil } from '../../src/local/process.ts';
import type { KubeClient } from '../../src/operator/kube/client.ts';
import type { KubeObject } from '../../src/operator/kube/types.ts';
import { childName } from '../../src/resources/names.ts';
import { MARKET_CHILD_KINDS } from '../../src/resources/phoenix-market/index.ts';

export const MARKET = { apiVersion: 'realestate.phoenix.io/v1alpha1', kind: 'PhoenixMarket' };
export const STACK = { apiVersion: 'realestate.phoenix.io/v1alpha1', kind: 'MonitoringStack' };

/** The kinds the operator creates per market (`<market>-collector`); the HPA only with autoscaling. */
export const CHILD_KINDS: readonly { apiVersion: string; kind: string }[] = MARKET_CHILD_KINDS;
export const HPA = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' } as const;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export type Loose = KubeObject & Record<string, any>;

export function condition(obj: Loose | undefined, type: string): Condition | undefined {
  return (obj?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/** kstatus "Current": Ready=True for the generation the spec is at. */
export function isCurrentAndReady(obj: Loose | undefined): boolean {
  return (
    obj !== undefined &&
    obj.status?.observedGeneration === obj.metadata?.generation &&
    condition(obj, 'Ready')?.status === 'True'
  );
}

export function autoscaled(market: KubeObject): boolean {
  const spec = market['spec'] as { collector?: { autoscaling?: { enabled?: boolean } } } | undefined;
  return spec?.collector?.autoscaling?.enabled === true;
}

export function childRef(kind: { apiVersion: string; kind: string }, namespace: string, market: string) {
  return { ...kind, namespace, name: childName(market, 'collector') };
}

/** Polls until `check` holds; fails with `describe()` (the state seen last) when it never does. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => Promise<string> = () => Promise.resolve(''),
): Promise<void> {
  if (await waitUntil(check, timeoutMs)) return;
  throw new Error(`${what}: not within ${timeoutMs / 1000} s. ${await describe()}`);
}

/** Objects of a kind still present (by name), in a namespace or cluster-wide, matching a label selector. */
export async function remaining(
  client: KubeClient,
  kind: { apiVersion: string; kind: string },
  o: { namespace?: string; labelSelector?: string },
): Promise<string[]> {
  const list = await client.list(kind, o);
  return list.items.map((i) => `${kind.kind}/${i.metadata?.name ?? ''}`);
}
