import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../../../src/operator/kube/config.ts';
import { KubeError } from '../../../../src/operator/kube/errors.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'phoenix-kc-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const path = join(dir, 'config');
  writeFileSync(
    path,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'c',
          cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': btoa('CA'), ...cluster },
        },
        { name: 'other', cluster: { server: 'https://other:6443' } },
      ],
      users: [{ name: 'u', user }],
      contexts: [
        { name: 'main', context: { cluster: 'c', user: 'u' } },
        { name: 'second', context: { cluster: 'other', user: 'u' } },
      ],
      'current-context': 'main',
    }),
  );
  return path;
}

async function applied(source: ReturnType<typeof loadKubeConfig>): Promise<RequestOptions> {
  const opts: RequestOptions = {};
  await source.applyToHTTPSOptions(opts);
  return opts;
}

describe('loadKubeConfig', () => {
  it('reads server, CA and bearer token of the current context', async () => {
    const kc = loadKubeConfig({ path: writeConfig({ token: 'secret-token' }) });
    expect(kc.getCurrentCluster()).toEqual({ server: 'https://10.0.0.1:6443' });
    const opts = await applied(kc);
    expect(opts.ca?.toString()).toBe('CA');
    expect(opts.headers).toEqual({ Authorization: 'Bearer secret-token' });
    expect(opts.rejectUnauthorized).toBeUndefined();
  });

  it('honours another context, client certificates by path, and insecure-skip-tls-verify', async () => {
    writeFileSync(join(dir, 'client.crt'), 'CERT');
    writeFileSync(join(dir, 'client.key'), 'KEY');
    const path = writeConfig(
      { 'client-certificate': 'client.crt', 'client-key': join(dir, 'client.key') },
      { 'insecure-skip-tls-verify': true },
    );
    const second = loadKubeConfig({ path, context: 'second' });
    expect(second.getCurrentCluster()?.server).toBe('https://other:6443');
    const opts = await applied(loadKubeConfig({ path }));
    expect(opts.cert?.toString()).toBe('CERT');
    expect(String(opts.key as Buffer)).toBe('KEY');
    expect(opts.rejectUnauthorized).toBe(false);
    expect(opts.headers).toBeUndefined();
  });

  it('takes the first $KUBECONFIG entry', () => {
    const path = writeConfig({ token: 't' });
    const kc = loadKubeConfig({ env: { KUBECONFIG: `${path}:/nonexistent` } });
    expect(kc.getCurrentCluster()?.server).toBe('https://10.0.0.1:6443');
  });

  it('in a pod: service-account token, re-read on every call so rotation is picked up', async () => {
    writeFileSync(join(dir, 'token'), 'first\n');
    writeFileSync(join(dir, 'ca.crt'), 'POD-CA');
    const kc = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: dir,
    });
    expect(kc.getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
    expect((await applied(kc)).headers).toEqual({ Authorization: 'Bearer first' });
    writeFileSync(join(dir, 'token'), 'rotated\n');
    const opts = await applied(kc);
    expect(opts.headers).toEqual({ Authorization: 'Bearer rotated' });
    expect(opts.ca?.toString()).toBe('POD-CA');
  });

  it('refuses exec plugins with an error naming the field', () => {
    const path = writeConfig({ exec: { command: 'aws' } });
    expect(() => loadKubeConfig({ path })).toThrow(KubeError);
    expect(() => loadKubeConfig({ path })).toThrow('users[u].user.exec is not supported');
  });

  it('names a missing context', () => {
    const path = writeConfig({ token: 't' });
    expect(() => loadKubeConfig({ path, context: 'nope' })).toThrow("contexts: no entry named 'nope'");
  });
});
