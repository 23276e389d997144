import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { collectorConfigFromMarket } from '../../../../src/api/collector-config.ts';
import { assertPhoenixMarket } from '../../../../src/api/index.ts';
import { parseConfigFile } from '../../../../src/collector/config.ts';
import {
  containerEnv,
  localCollectorConfig,
  overrideSummary,
  resolveEnv,
  tokenKubeconfig,
} from '../../../../src/local/demo/collectors.ts';
import { inNamespace, sampleMarkets } from '../../../../src/local/demo/objects.ts';
import { buildMarketObjects } from '../../../../src/resources/phoenix-market/index.ts';

const scottsdale = () => inNamespace(sampleMarkets()[1]!.object, 'phoenix-demo');

describe('phoenix demo collectors', () => {
  it("overrides only the Assessor URL and rate and turns Ollama off in the operator's config", () => {
    const operatorFile = dump(collectorConfigFromMarket(assertPhoenixMarket(scottsdale())));
    const local = localCollectorConfig(operatorFile, {
      assessorBaseUrl: 'http://127.0.0.1:5000',
      requestsPerSecond: 20,
    });
    const parsed = parseConfigFile(dump(local), 'collector.yaml');
    const original = load(operatorFile) as Record<string, any>;
    expect(parsed.sources.assessor).toMatchObject({
      baseUrl: 'http://127.0.0.1:5000',
      requestsPerSecond: 20,
    });
    expect(parsed.llm.enabled).toBe(false);
    expect(parsed.collection.catchUp).toBe(true);
    expect(parsed.market).toMatchObject(original['market']);
    expect(parsed.reportStatus).toBe(true);
    expect(original['sources'].assessor.baseUrl).toBe('https://mcassessor.maricopa.gov');
  });

  it('prints the overrides', () => {
    expect(overrideSummary({ assessorBaseUrl: 'http://127.0.0.1:5000', requestsPerSecond: 20 })).toBe(
      'sources.assessor.baseUrl=http://127.0.0.1:5000 (stand-in), sources.assessor.requestsPerSecond=20, ' +
        'llm.enabled=false (rule-based enrichment), collection.catchUp=true (first run at once), a free loopback port',
    );
  });

  it('resolves secretKeyRefs and the downward API as the kubelet would', async () => {
    const env = await resolveEnv(
      [
        { name: 'A', value: 'plain' },
        { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
        { name: 'C', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
      {
        secret: async (name, key) => Promise.resolve(`${name}/${key}`),
        fields: { 'metadata.name': 'pod-0' },
      },
    );
    expect(env).toEqual({ A: 'plain', B: 's/k', C: 'pod-0' });
  });

  it('fails naming the variable when a secret is missing', async () => {
    const missing = resolveEnv([{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }], {
      secret: async () => Promise.resolve(undefined),
      fields: {},
    });
    await expect(missing).rejects.toThrow(/env TOKEN: cannot resolve/);
  });

  it('gives a variable with neither value nor valueFrom the empty string, as the kubelet does', async () => {
    const env = await resolveEnv([{ name: 'WATCH_NAMESPACE' }], {
      secret: async () => Promise.resolve(undefined),
      fields: {},
    });
    expect(env).toEqual({ WATCH_NAMESPACE: '' });
  });

  it("reads the collector container's environment from the operator's Deployment", () => {
    const children = buildMarketObjects(assertPhoenixMarket(scottsdale()), { collectorImage: 'x' });
    const deployment = children.find((c) => c['kind'] === 'Deployment')!;
    const names = containerEnv(deployment).map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining(['PHOENIX_ASSESSOR_TOKEN', 'PHOENIX_MONGODB_URI', 'POD_NAME', 'PHOENIX_MARKET']),
    );
  });

  it("writes a kubeconfig with the admin kubeconfig's cluster and the token", () => {
    const admin = dump({
      clusters: [
        { name: 'x', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0E=' } },
      ],
      users: [{ name: 'admin', user: { token: 'admin-token' } }],
    });
    const kc = load(tokenKubeconfig(admin, 'sa-token')) as Record<string, any>;
    expect(kc['clusters'][0].cluster).toEqual({
      server: 'https://127.0.0.1:6443',
      'certificate-authority-data': 'Q0E=',
    });
    expect(kc['users']).toEqual([{ name: 'collector', user: { token: 'sa-token' } }]);
    expect(JSON.stringify(kc)).not.toContain('admin-token');
  });
});
