/** The pure parts of the end-to-end providers: the provider choice and the command lines they run. */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  chartValues,
  dockerBuildArgs,
  E2E_IMAGE_REF,
  helmInstallArgs,
  helmUninstallArgs,
  KIND_NODE_IMAGE,
  kindClusterName,
  kindConfig,
  kindCreateArgs,
  kindDeleteArgs,
  kindLoadArgs,
  mongoObjects,
  mongoUri,
  serviceProxyPath,
} from '../../e2e/providers/args.ts';
import { chooseProvider, onPath } from '../../e2e/providers/choose.ts';

describe('chooseProvider', () => {
  it('takes PHOENIX_E2E_PROVIDER when set, whatever the host has', () => {
    expect(chooseProvider({ requested: 'local', dockerInfoOk: true, kindOnPath: true })).toEqual({
      name: 'local',
      reason: 'PHOENIX_E2E_PROVIDER=local',
    });
    expect(chooseProvider({ requested: 'kind', dockerInfoOk: false, kindOnPath: false }).name).toBe('kind');
  });

  it('rejects an unknown provider, naming the variable and the choices', () => {
    expect(() => chooseProvider({ requested: 'minikube', dockerInfoOk: true, kindOnPath: true })).toThrow(
      'PHOENIX_E2E_PROVIDER=minikube: must be one of kind, local',
    );
  });

  it('defaults to kind only when docker info succeeds and kind is on PATH', () => {
    expect(chooseProvider({ requested: undefined, dockerInfoOk: true, kindOnPath: true }).name).toBe('kind');
    expect(chooseProvider({ requested: '', dockerInfoOk: true, kindOnPath: false })).toMatchObject({
      name: 'local',
      reason: expect.stringContaining('kind is not on PATH'),
    });
    const neither = chooseProvider({ requested: undefined, dockerInfoOk: false, kindOnPath: false });
    expect(neither.name).toBe('local');
    expect(neither.reason).toContain('docker info fails');
    expect(neither.reason).toContain('kind is not on PATH');
  });

  it('finds executables on a PATH', () => {
    expect(onPath('sh', '/bin:/usr/bin')).toBe(true);
    expect(onPath('phoenix-no-such-binary', '/bin:/usr/bin')).toBe(false);
  });
});

describe('kind and docker arguments', () => {
  it('names clusters phoenix-e2e-<suffix>', () => {
    expect(kindClusterName('A1b2c3')).toBe('phoenix-e2e-a1b2c3');
  });

  it('pins the node image on every node: one control plane and the workers', () => {
    const config = load(kindConfig(3)) as { kind: string; nodes: { role: string; image: string }[] };
    expect(config.kind).toBe('Cluster');
    expect(config.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker', 'worker']);
    expect(new Set(config.nodes.map((n) => n.image))).toEqual(new Set([KIND_NODE_IMAGE]));
    expect(KIND_NODE_IMAGE).toMatch(/^kindest\/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
  });

  it('creates, loads into and deletes the named cluster', () => {
    const create = kindCreateArgs({
      name: 'phoenix-e2e-x',
      configPath: '/w/kind.yaml',
      kubeconfigPath: '/w/kc',
    });
    expect(create.slice(0, 2)).toEqual(['create', 'cluster']);
    expect(create).toEqual(expect.arrayContaining(['--name', 'phoenix-e2e-x', '--config', '/w/kind.yaml']));
    expect(create[create.indexOf('--kubeconfig') + 1]).toBe('/w/kc');
    expect(kindLoadArgs(E2E_IMAGE_REF, 'phoenix-e2e-x')).toEqual([
      'load',
      'docker-image',
      'phoenix-real-estate/phoenix:e2e',
      '--name',
      'phoenix-e2e-x',
    ]);
    expect(kindDeleteArgs('phoenix-e2e-x')).toEqual(['delete', 'cluster', '--name', 'phoenix-e2e-x']);
    expect(dockerBuildArgs(E2E_IMAGE_REF, '/repo')).toEqual(['build', '-t', E2E_IMAGE_REF, '/repo']);
  });
});

describe('helm arguments and values', () => {
  it('installs the samples on both providers, and the loaded image (never pulled) on kind', () => {
    expect(chartValues('local')).toEqual({
      'samples.markets.enabled': 'true',
      'samples.monitoringStack.enabled': 'true',
    });
    expect(chartValues('kind')).toMatchObject({
      'image.repository': 'phoenix-real-estate/phoenix',
      'image.tag': 'e2e',
      'image.pullPolicy': 'Never',
    });
  });

  it('passes one --set per value', () => {
    const args = helmInstallArgs({
      release: 'phoenix',
      namespace: 'phoenix-system',
      chart: '/c',
      values: { a: '1', 'b.c': 'x' },
    });
    expect(args).toEqual([
      'install',
      'phoenix',
      '/c',
      '--namespace',
      'phoenix-system',
      '--set',
      'a=1',
      '--set',
      'b.c=x',
    ]);
    expect(helmUninstallArgs('phoenix', 'ns')).toEqual(['uninstall', 'phoenix', '--namespace', 'ns']);
  });
});

describe('cluster objects and paths', () => {
  it("reaches a Service port's endpoint through the API server's service proxy", () => {
    expect(
      serviceProxyPath({ namespace: 'ns', service: 'tempe-collector', port: 'metrics', path: '/metrics' }),
    ).toBe('/api/v1/namespaces/ns/services/tempe-collector:metrics/proxy/metrics');
  });

  it('runs MongoDB under restricted Pod Security, reachable at the URI the Secret gets', () => {
    const [deployment, service] = mongoObjects('phoenix-system') as any[];
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(mongoUri('phoenix-system')).toBe(
      `mongodb://${service.metadata.name}.phoenix-system.svc.cluster.local:${service.spec.ports[0].port}/phoenix_real_estate`,
    );
  });
});
