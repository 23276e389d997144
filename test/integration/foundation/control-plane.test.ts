import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Watch,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../../src/local/process.ts';
import { kubeConfig, useNamespace } from '../../support/kube.ts';

const group = 'foundation.test.phoenix.io';

const widgetCrd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } } },
          },
        },
      },
    ],
  },
};

describe('local control plane', () => {
  const ns = useNamespace('foundation');

  it('serves a namespace of our own', async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const got = await core.readNamespace({ name: ns.name });
    expect(got.status?.phase).toBe('Active');
  });

  it('accepts a CRD and a custom resource, and a watch sees it arrive', async () => {
    const kc = kubeConfig();
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({ body: widgetCrd }).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    });
    const established = await waitUntil(async () => {
      const crd = await ext.readCustomResourceDefinition({ name: widgetCrd.metadata!.name! });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    }, 30_000);
    expect(established).toBe(true);

    // Watch from the list's resourceVersion, so an object created right after is never missed
    // however long the watch takes to be registered on a loaded server.
    // Established is not yet servable: for a moment the server may answer 429 "storage is
    // (re)initializing" while its cache of the new resource starts, so list until it answers.
    const custom = kc.makeApiClient(CustomObjectsApi);
    let list: { metadata: { resourceVersion: string } } | undefined;
    const listed = await waitUntil(async () => {
      list = (await custom.listNamespacedCustomObject({
        group,
        version: 'v1',
        namespace: ns.name,
        plural: 'widgets',
      })) as { metadata: { resourceVersion: string } };
      return true;
    }, 30_000);
    expect(listed).toBe(true);
    const seen: { type: string; name: string }[] = [];
    const watch = new Watch(kc);
    const controller = await watch.watch(
      `/apis/${group}/v1/namespaces/${ns.name}/widgets`,
      { resourceVersion: list!.metadata.resourceVersion },
      (type: string, obj: { metadata: { name: string } }) => {
        seen.push({ type, name: obj.metadata.name });
      },
      () => undefined,
    );
    try {
      await custom.createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace: ns.name,
        plural: 'widgets',
        body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } },
      });
      expect(await waitUntil(() => seen.some((e) => e.type === 'ADDED' && e.name === 'w1'), 30_000)).toBe(
        true,
      );

      // The schema is enforced by the real API server.
      await expect(
        custom.createNamespacedCustomObject({
          group,
          version: 'v1',
          namespace: ns.name,
          plural: 'widgets',
          body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w2' }, spec: { size: 0 } },
        }),
      ).rejects.toThrow(/spec\.size/);
    } finally {
      controller.abort();
    }
  });

  it('runs a Deployment whose pods become Ready on a fake kwok node', async () => {
    const kc = kubeConfig();
    const apps = kc.makeApiClient(AppsV1Api);
    const labels = { app: 'hello' };
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: {
        metadata: { name: 'hello' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'hello', image: 'registry.invalid/hello:1' }] },
          },
        },
      },
    });
    const ready = await waitUntil(async () => {
      const d = await apps.readNamespacedDeployment({ name: 'hello', namespace: ns.name });
      return d.status?.readyReplicas === 2;
    }, 60_000);
    expect(ready).toBe(true);

    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns.name });
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.spec?.nodeName).toMatch(/^kwok-node-/);
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
  });
});
