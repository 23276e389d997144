import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, inject } from 'vitest';

/** The admin kubeconfig of the shared integration control plane. */
export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(inject('kubeconfigPath'));
  return kc;
}

export function kubeconfigPath(): string {
  return inject('kubeconfigPath');
}

/**
 * Gives the calling test file its own namespace: created before its tests, deleted after.
 * Read `.name` inside tests or hooks (it is set in beforeAll).
 */
export function useNamespace(prefix: string): { name: string } {
  const ns = { name: '' };
  beforeAll(async () => {
    ns.name = `${prefix}-${randomBytes(3).toString('hex')}`.slice(0, 63);
    const core = kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({
      body: { metadata: { name: ns.name, labels: { 'phoenix.test/owner': prefix } } },
    });
  });
  afterAll(async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    await core.deleteNamespace({ name: ns.name }).catch(() => undefined);
  });
  return ns;
}
