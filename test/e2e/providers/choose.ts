/** Which cluster provider runs the end-to-end suite: PHOENIX_E2E_PROVIDER, else kind when it can run. */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const PROVIDERS = ['kind', 'local'] as const;
export type ProviderName = (typeof PROVIDERS)[number];
export const PROVIDER_ENV = 'PHOENIX_E2E_PROVIDER';

export interface ProviderChoice {
  name: ProviderName;
  reason: string;
}

export interface HostFacts {
  requested: string | undefined;
  dockerInfoOk: boolean;
  kindOnPath: boolean;
}

function isProvider(value: string): value is ProviderName {
  return (PROVIDERS as readonly string[]).includes(value);
}

/** Pure: the provider and a sentence saying why. */
export function chooseProvider(facts: HostFacts): ProviderChoice {
  const requested = facts.requested?.trim() ?? '';
  if (requested !== '') {
    if (!isProvider(requested)) {
      throw new Error(`${PROVIDER_ENV}=${requested}: must be one of ${PROVIDERS.join(', ')}`);
    }
    return { name: requested, reason: `${PROVIDER_ENV}=${requested}` };
  }
  if (facts.dockerInfoOk && facts.kindOnPath) {
    return { name: 'kind', reason: 'docker info succeeds and kind is on PATH' };
  }
  const missing = [
    ...(facts.dockerInfoOk ? [] : ['docker info fails (no Docker daemon)']),
    ...(facts.kindOnPath ? [] : ['kind is not on PATH']),
  ];
  return { name: 'local', reason: `${missing.join(' and ')}; set ${PROVIDER_ENV}=kind to insist` };
}

export function onPath(binary: string, path = process.env['PATH'] ?? ''): boolean {
  return path
    .split(delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => {
      try {
        accessSync(join(dir, binary), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

export function dockerInfoOk(): boolean {
  const res = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
  return res.error === undefined && res.status === 0;
}

export function hostFacts(env: NodeJS.ProcessEnv = process.env): HostFacts {
  return { requested: env[PROVIDER_ENV], dockerInfoOk: dockerInfoOk(), kindOnPath: onPath('kind') };
}
