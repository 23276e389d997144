import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Manager } from '../../../../src/operator/runtime/manager.ts';
import { KubeClient } from '../../../../src/operator/kube/client.ts';
import type { KubeObject } from '../../../../src/operator/kube/types.ts';
import { kubeConfig, kubeconfigPath, useNamespace } from '../../../support/kube.ts';

const ns = useNamespace('rt-elect');
const LEASE = 'elector-test';
const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const FIXTURE = fileURLToPath(new URL('./fixtures/elector.ts', import.meta.url));
const children = new Map<string, ChildProcess>();
let client: KubeClient;

interface LeaseObject extends KubeObject {
  spec?: { holderIdentity?: string; leaseTransitions?: number };
}

beforeAll(() => {
  client = new KubeClient({ kubeConfig: kubeConfig() });
});
afterAll(async () => {
  for (const child of children.values()) child.kill('SIGKILL');
  await client.close();
});

function startReplica(identity: string): ChildProcess {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, KUBECONFIG: kubeconfigPath(), NAMESPACE: ns.name, LEASE, IDENTITY: identity },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.set(identity, child);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
}

async function lease(name = LEASE): Promise<LeaseObject | undefined> {
  return client.getOrUndefined<LeaseObject>({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    namespace: ns.name,
    name,
  });
}

async function holder(name = LEASE): Promise<string> {
  return (await lease(name))?.spec?.holderIdentity ?? '';
}

async function stamp(): Promise<{ by: string | undefined; data: string | undefined }> {
  const obj = await client.get({ ...CM, namespace: ns.name, name: 'target' });
  const ann = obj.metadata?.annotations ?? {};
  return { by: ann['reconciled-by'], data: ann['seen-data'] };
}

async function setData(v: string): Promise<void> {
  await client.apply(
    { ...CM, metadata: { name: 'target', namespace: ns.name, labels: { elect: 'yes' } }, data: { v } },
    { fieldManager: 'test' },
  );
}

describe('leader election between two operator processes', () => {
  it('one leads; a killed leader is replaced after the lease expires; a stopped one hands over at once', async () => {
    await setData('1');
    startReplica('replica-a');
    startReplica('replica-b');
    await vi.waitFor(
      async () => {
        expect(['replica-a', 'replica-b']).toContain(await holder());
      },
      {
        timeout: 30_000,
        interval: 200,
      },
    );
    const first = await holder();
    const second = first === 'replica-a' ? 'replica-b' : 'replica-a';
    await vi.waitFor(
      async () => {
        expect(await stamp()).toEqual({ by: first, data: '{"v":"1"}' });
      },
      {
        timeout: 15_000,
        interval: 200,
      },
    );
    // The standby must not be reconciling: the stamp stays the leader's for a while.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stamp()).by).toBe(first);
    const transitions = (await lease())?.spec?.leaseTransitions ?? 0;

    // Kill the leader without a chance to release: the standby waits out the lease (4 s).
    const killedAt = Date.now();
    children.get(first)!.kill('SIGKILL');
    await setData('2');
    await vi.waitFor(
      async () => {
        expect(await stamp()).toEqual({ by: second, data: '{"v":"2"}' });
      },
      {
        timeout: 20_000,
        interval: 100,
      },
    );
    const takeover = Date.now() - killedAt;
    expect(await holder()).toBe(second);
    expect((await lease())?.spec?.leaseTransitions).toBe(transitions + 1);
    expect(takeover).toBeLessThan(12_000);
    console.log(`[leader-election] takeover after SIGKILL of the leader: ${takeover} ms (lease 4 s)`);

    // Graceful stop: SIGTERM releases the lease, so a new standby takes over well within 4 s.
    startReplica('replica-c');
    await new Promise((r) => setTimeout(r, 3000)); // c is up and campaigning
    expect(await holder()).toBe(second);
    const stoppedAt = Date.now();
    const leader = children.get(second)!;
    leader.kill('SIGTERM');
    expect(await exited(leader)).toBe(0);
    await vi.waitFor(
      async () => {
        expect(await holder()).toBe('replica-c');
      },
      { timeout: 10_000, interval: 50 },
    );
    const handover = Date.now() - stoppedAt;
    expect(handover).toBeLessThan(4000);
    console.log(`[leader-election] handover after SIGTERM (lease released): ${handover} ms`);
    await setData('3');
    await vi.waitFor(
      async () => {
        expect(await stamp()).toEqual({ by: 'replica-c', data: '{"v":"3"}' });
      },
      {
        timeout: 15_000,
        interval: 200,
      },
    );
  });
});

describe('leadership lost', () => {
  it('a leader whose lease is taken stops its controllers and reports the loss', async () => {
    let lost = 0;
    const registry = new Registry();
    const manager = new Manager({
      kubeConfig: kubeConfig(),
      logger: pino({ level: 'silent' }),
      registry,
      leaderElection: {
        namespace: ns.name,
        name: 'stolen',
        identity: 'victim',
        leaseDurationMs: 4000,
        renewDeadlineMs: 3000,
        retryPeriodMs: 300,
      },
      onLeadershipLost: () => {
        lost += 1;
      },
    });
    const reconciled: string[] = [];
    manager
      .addController({
        name: 'victim',
        reconcile: async (req) => {
          reconciled.push(req.key);
          return Promise.resolve();
        },
      })
      .watchPrimary(manager.informer(CM, { namespace: ns.name, labelSelector: 'stolen=yes' }));
    try {
      await manager.start();
      await vi.waitFor(
        () => {
          expect(manager.isLeader()).toBe(true);
        },
        { timeout: 10_000 },
      );
      expect(await registry.metrics()).toContain('leader_election_master_status{name="stolen"} 1');
      const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: ns.name, name: 'stolen' };
      await client.mergePatch(ref, { spec: { holderIdentity: 'intruder', leaseDurationSeconds: 3600 } });
      await vi.waitFor(
        () => {
          expect(lost).toBe(1);
        },
        { timeout: 10_000 },
      );
      expect(manager.isLeader()).toBe(false);
      expect(await registry.metrics()).toContain('leader_election_master_status{name="stolen"} 0');
      // Its controllers are stopped: new objects are not reconciled here.
      await client.create({
        ...CM,
        metadata: { name: 'after-loss', namespace: ns.name, labels: { stolen: 'yes' } },
      });
      await new Promise((r) => setTimeout(r, 1000));
      expect(reconciled).not.toContain(`${ns.name}/after-loss`);
      expect(await holder('stolen')).toBe('intruder');
    } finally {
      await manager.stop();
    }
    // stop() must not release a lease that is no longer ours.
    expect(await holder('stolen')).toBe('intruder');
  });
});
