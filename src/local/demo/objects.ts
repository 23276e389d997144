/**
 * The objects `phoenix demo` applies: the namespace, the Secrets of
 * manifests/samples/secrets.example.yaml with locally generated values, the sample markets and the
 * sample MonitoringStack. Reading the files is the only I/O here.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import type { KubeObject } from '../../operator/kube/types.ts';
import { repoRoot } from '../../shared/tools.ts';

export const DEMO_NAMESPACE = 'phoenix-demo';
export const DEMO_FIELD_MANAGER = 'phoenix-demo';
export const SAMPLES_DIR = join(repoRoot, 'manifests', 'samples');

export interface SampleMarket {
  name: string;
  file: string;
  object: KubeObject;
}

export function yamlObjects(text: string): KubeObject[] {
  return loadAll(text).filter((d): d is KubeObject => d !== null && typeof d === 'object');
}

/** The sample markets in file order (01-phoenix.yaml, 02-scottsdale.yaml, ...). */
export function sampleMarkets(dir = join(SAMPLES_DIR, 'markets')): SampleMarket[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) =>
      yamlObjects(readFileSync(join(dir, f), 'utf8')).map((object) => ({
        name: object.metadata?.name ?? f,
        file: join(dir, f),
        object,
      })),
    );
}

export function sampleStacks(file = join(SAMPLES_DIR, 'monitoringstack.yaml')): KubeObject[] {
  return yamlObjects(readFileSync(file, 'utf8'));
}

export function inNamespace(obj: KubeObject, namespace: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, namespace } };
}

export function namespaceObject(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
  };
}

/** Values for the Secrets: the real local endpoints where there are some, random strings elsewhere. */
export interface SecretValues {
  assessorToken: string;
  mongodbUri: string;
  random: () => string;
}

export function randomSecretValue(): string {
  return randomBytes(18).toString('base64url');
}

function valueFor(secret: string, key: string, values: SecretValues): string {
  if (secret === 'phoenix-assessor' && key === 'token') return values.assessorToken;
  if (secret === 'phoenix-mongodb' && key === 'uri') return values.mongodbUri;
  // Nothing listens there: the listing sources are disabled and no alert is delivered.
  if (key === 'url' || key.endsWith('-url')) return `http://127.0.0.1:9/${secret}/${values.random()}`;
  return values.random();
}

/** The example's Secrets with every placeholder replaced (same names and keys). */
export function demoSecrets(exampleText: string, values: SecretValues, namespace: string): KubeObject[] {
  return yamlObjects(exampleText).map((s) => {
    const keys = Object.keys(s['stringData'] ?? {});
    const name = s.metadata?.name ?? '';
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'phoenix-demo' } },
      type: 'Opaque',
      stringData: Object.fromEntries(keys.map((k) => [k, valueFor(name, k, values)])),
    };
  });
}

export function exampleSecretsText(): string {
  return readFileSync(join(SAMPLES_DIR, 'secrets.example.yaml'), 'utf8');
}
