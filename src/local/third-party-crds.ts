/**
 * CRDs of the Prometheus Operator and the grafana-operator, for tests that need the real schemas
 * in a local control plane. They come from the Go module cache (`go mod download`), at the
 * versions pinned in tools/versions.env, so nothing is copied into the repository.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { PhoenixError, errorMessage } from '../shared/errors.ts';
import { toolVersions } from '../shared/tools.ts';

export type CustomResourceDefinition = Record<string, unknown> & {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: { group: string; names: { kind: string; plural: string } };
};

/** The module could not be downloaded, or holds no CRDs where expected. */
export class ThirdPartyCrdError extends PhoenixError {
  override readonly name = 'ThirdPartyCrdError';
  constructor(message: string, cause?: unknown) {
    super('PHOENIX_THIRD_PARTY_CRDS', message, { cause });
  }
}

interface CrdSource {
  module: string;
  versionKey: string;
  dir: string;
}

export const PROMETHEUS_OPERATOR: CrdSource = {
  module: 'github.com/prometheus-operator/prometheus-operator',
  versionKey: 'PROMETHEUS_OPERATOR_VERSION',
  dir: 'example/prometheus-operator-crd',
};

export const GRAFANA_OPERATOR: CrdSource = {
  module: 'github.com/grafana/grafana-operator/v5',
  versionKey: 'GRAFANA_OPERATOR_VERSION',
  dir: 'config/crd/bases',
};

/** Directory of `module@version` in the module cache, downloading it if needed. */
export function moduleDir(module: string, version: string): string {
  let out: string;
  try {
    out = execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`], {
      encoding: 'utf8',
      // The module is read as data (YAML), never built. The checksum database is not reachable
      // through every module proxy, so it is skipped for this module only.
      env: { ...process.env, GOFLAGS: '-mod=mod', GONOSUMDB: module },
      timeout: 300_000,
    });
  } catch (err) {
    const stdout = (err as { stdout?: unknown }).stdout;
    throw new ThirdPartyCrdError(
      `go mod download ${module}@${version} failed: ${typeof stdout === 'string' && stdout !== '' ? stdout : errorMessage(err)}`,
      err,
    );
  }
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (info.Dir === undefined) throw new ThirdPartyCrdError(`${module}@${version}: ${info.Error ?? 'no Dir'}`);
  return info.Dir;
}

function isCrd(doc: unknown): doc is CustomResourceDefinition {
  return (doc as { kind?: unknown } | null)?.kind === 'CustomResourceDefinition';
}

/** Parsed CRDs of a source, optionally only the kinds named. */
export function loadCrds(source: CrdSource, kinds?: readonly string[]): CustomResourceDefinition[] {
  const version = toolVersions()[source.versionKey];
  if (version === undefined)
    throw new ThirdPartyCrdError(`${source.versionKey} is not set in tools/versions.env`);
  const dir = join(moduleDir(source.module, version), source.dir);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const crds = files.flatMap((f) => loadAll(readFileSync(join(dir, f), 'utf8')).filter(isCrd));
  const wanted = kinds === undefined ? crds : crds.filter((c) => kinds.includes(c.spec.names.kind));
  if (wanted.length === 0) throw new ThirdPartyCrdError(`no CRDs ${kinds?.join(', ') ?? ''} in ${dir}`);
  return wanted;
}

/** monitoring.coreos.com CRDs (ServiceMonitor, PrometheusRule, AlertmanagerConfig, Prometheus, ...). */
export function prometheusOperatorCrds(kinds?: readonly string[]): CustomResourceDefinition[] {
  return loadCrds(PROMETHEUS_OPERATOR, kinds);
}

/** grafana.integreatly.org CRDs (GrafanaDashboard, Grafana, ...). */
export function grafanaOperatorCrds(kinds?: readonly string[]): CustomResourceDefinition[] {
  return loadCrds(GRAFANA_OPERATOR, kinds);
}
