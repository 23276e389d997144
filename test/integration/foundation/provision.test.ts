import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../src/shared/tools.ts';

/** The provisioner on an empty cache, with its quickest tool (Debian's Prometheus packages). */
describe('scripts/provision.sh', () => {
  const cache = mkdtempSync(join(tmpdir(), 'phoenix-tools-'));
  const run = (...args: string[]) =>
    spawnSync('bash', [join(repoRoot, 'scripts', 'provision.sh'), ...args], {
      env: { ...process.env, PHOENIX_TOOLS_DIR: cache },
      encoding: 'utf8',
      timeout: 300_000,
    });
  afterAll(() => {
    rmSync(cache, { recursive: true, force: true });
  });

  it('provisions into an empty cache, exits 0 and leaves no staging directory', () => {
    const first = run('prometheus');
    expect(first.stderr).toContain('prometheus: ready in');
    expect(first.status).toBe(0);
    const [dir] = readdirSync(cache);
    expect(dir).toMatch(/^prometheus-/);
    for (const bin of ['promtool', 'amtool', 'prometheus']) {
      expect(existsSync(join(cache, dir!, 'bin', bin)), bin).toBe(true);
    }
    expect(readdirSync(cache).filter((d) => d.startsWith('.'))).toEqual([]);
  });

  it('is a no-op the second time', () => {
    const again = run('prometheus');
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/prometheus: ready in .* \(0 s\)/);
  });

  it('names an unknown tool and the valid ones', () => {
    const bad = run('kubectl');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("unknown tool 'kubectl'");
    expect(bad.stderr).toContain(
      'choose from: node kubernetes etcd kwok ferretdb helm prometheus alertmanager',
    );
  });

  it('prints every tool directory without doing any work', () => {
    const print = run('--print');
    expect(print.status).toBe(0);
    expect(
      print.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('=')[0]),
    ).toEqual(['node', 'kubernetes', 'etcd', 'kwok', 'ferretdb', 'helm', 'prometheus', 'alertmanager']);
  });
});
