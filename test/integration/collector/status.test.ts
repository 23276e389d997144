import { CustomObjectsApi } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../../../src/collector/main.ts';
import { installCrds } from '../../fixtures/api/install-crds.ts';
import { collectorSetup, loadTestConfig } from '../../support/collector.ts';
import { useFerretDb } from '../../support/ferretdb.ts';
import { startFakeAssessor, type FakeAssessor } from '../../support/fakes/assessor.ts';
import { kubeConfig, useNamespace } from '../../support/kube.ts';

describe('collector: status.lastCollection on its PhoenixMarket', () => {
  const ferret = useFerretDb();
  const ns = useNamespace('collector-status');
  const kc = kubeConfig();
  const api = kc.makeApiClient(CustomObjectsApi);
  const ref = {
    group: 'realestate.phoenix.io',
    version: 'v1alpha1',
    plural: 'phoenixmarkets',
    name: 'tempe',
  };
  let assessor: FakeAssessor;
  let collector: RunningCollector;

  beforeAll(async () => {
    await installCrds(kc);
    await api.createNamespacedCustomObject({
      ...ref,
      namespace: ns.name,
      body: {
        apiVersion: 'realestate.phoenix.io/v1alpha1',
        kind: 'PhoenixMarket',
        metadata: { name: 'tempe', namespace: ns.name },
        spec: {
          zipCodes: ['85281'],
          sources: { assessor: { tokenSecretRef: { name: 'assessor', key: 'token' } } },
          mongodb: { uriSecretRef: { name: 'mongodb', key: 'uri' } },
        },
      },
    });
    assessor = await startFakeAssessor({ token: 't', parcelsPerZip: { '85281': 30 }, log: () => undefined });
    const setup = collectorSetup(
      {
        market: { name: 'tempe', namespace: ns.name, zipCodes: ['85281'], schedule: '0 0 1 1 *' },
        sources: { assessor: { baseUrl: assessor.url, requestsPerSecond: 100 } },
        mongodb: { database: 'status' },
        llm: { enabled: false },
        collection: { catchUp: false },
        reportStatus: true,
      },
      { PHOENIX_ASSESSOR_TOKEN: 't', PHOENIX_MONGODB_URI: ferret.db.uri },
    );
    collector = await startCollector(loadTestConfig(setup, 'tempe-0'), {
      logger: pino({ level: 'silent' }),
      kubeConfig: kc,
    });
  });
  afterAll(async () => {
    await collector.stop();
    await assessor.close();
  });

  it('applies the outcome of a run with its own field manager', async () => {
    await collector.runNow(new Date('2026-01-01T07:00:00Z'));
    const market = (await api.getNamespacedCustomObject({ ...ref, namespace: ns.name })) as {
      status?: { lastCollection?: Record<string, unknown> };
      metadata: { managedFields?: { manager: string; subresource?: string }[] };
    };
    expect(market.status?.lastCollection).toMatchObject({
      outcome: 'Succeeded',
      zipCodesTotal: 1,
      zipCodesCompleted: 1,
      propertiesStored: 30,
      recordsRejected: 0,
    });
    expect(
      market.metadata.managedFields?.some(
        (f) => f.manager === 'phoenix-collector' && f.subresource === 'status',
      ),
    ).toBe(true);
  });
});
