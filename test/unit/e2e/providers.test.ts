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
  STAND_IN_PORT,
  standInObjects,
  standInUrl,
} from '../../e2e/providers/args.ts';
import { buildNetworkPolicy } from '../../../src/resources/phoenix-market/workload-extras.ts';
import { parsePhoenixMarket } from '../../../src/api/index.ts';
import { sampleMarkets } from '../../../src/local/demo/objects.ts';
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
    expect(chartValues('local', 'phoenix-system')).toEqual({
      'samples.markets.enabled': 'true',
      'samples.monitoringStack.enabled': 'true',
    });
    expect(chartValues('kind', 'phoenix-system')).toMatchObject({
      'image.repository': 'phoenix-real-estate/phoenix',
      'image.tag': 'e2e',
      'image.pullPolicy': 'Never',
    });
  });

  it('points the samples at the in-cluster stand-in on kind, never at the county', () => {
    const url = chartValues('kind', 'phoenix-system')['samples.markets.assessorBaseUrl'];
    expect(url).toBe('http://assessor-standin.phoenix-system.svc:8080');
    expect(url).toBe(standInUrl('phoenix-system'));
    expect(JSON.stringify(chartValues('kind', 'ns'))).not.toContain('maricopa.gov');
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

  it('runs the Assessor stand-in from the e2e image under restricted Pod Security, token by reference', () => {
    const [secret, deployment, service] = standInObjects('phoenix-system', 'tok') as any[];
    expect(secret).toMatchObject({ kind: 'Secret', stringData: { token: 'tok' } });
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const [container] = pod.containers;
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container).toMatchObject({ image: E2E_IMAGE_REF, imagePullPolicy: 'Never' });
    expect(container.args).toEqual(['assessor-standin', '--port', '8080', '--host', '0.0.0.0']);
    expect(container.env).toEqual([
      {
        name: 'ASSESSOR_STANDIN_TOKEN',
        valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'token' } },
      },
    ]);
    expect(container.readinessProbe.tcpSocket.port).toBe(STAND_IN_PORT);
    expect(service.metadata.name).toBe('assessor-standin');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toEqual(deployment.spec.selector.matchLabels);
  });

  it("serves on the one port a sample collector's NetworkPolicy then allows (URL = Service = pod port)", () => {
    const [, deployment, service] = standInObjects('phoenix-system', 'tok') as any[];
    const containerPort = deployment.spec.template.spec.containers[0].ports[0];
    expect(service.spec.ports).toEqual([
      { name: 'http', port: STAND_IN_PORT, targetPort: containerPort.name },
    ]);
    expect(containerPort.containerPort).toBe(STAND_IN_PORT);
    expect(new URL(standInUrl('phoenix-system')).port).toBe(String(STAND_IN_PORT));
    const sample = structuredClone(sampleMarkets()[0]!.object) as any;
    sample.spec.sources.assessor.baseUrl = standInUrl('phoenix-system');
    const parsed = parsePhoenixMarket(sample);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const policy = buildNetworkPolicy(parsed.value) as any;
    const allowed = policy.spec.egress.flatMap((rule: any) => rule.ports.map((p: any) => p.port));
    expect(allowed).toContain(STAND_IN_PORT);
  });
});
